"""The media node: an SFU on aiortc that forwards every published track without transcoding.

Negotiation scheme
------------------
Each participant has two ``RTCPeerConnection``s with the node:

* **publish**: the client offers its tracks (sendonly: one audio, one video at
  most), the node answers and receives (:meth:`MediaNode.publish`).  The answer
  carries one codec per track, the first of Opus / VP8, H.264 the client offers.
* **subscribe**: the node is always the offerer (aiortc cannot roll back, so
  there is no glare to resolve).  Its offer has one sendonly transceiver per
  track of every other publishing participant, in the publisher's codec.  When
  participants come or go, the node calls ``on_renegotiate(hearing_id,
  participant_id)``; the signaling layer then fetches :meth:`subscriber_offer`,
  sends it to the client and returns the answer with :meth:`subscriber_answer`.
  A departed publisher's transceivers are reused for the next publisher with the
  same codec (aiortc cannot remove them), so a connection keeps as many
  transceivers as the most tracks it carried at once.  Each offer says which
  ``mid`` carries whose track (:attr:`SubscriberOffer.tracks`), and the
  ``msid`` stream id of a track is its publisher's participant id.

Media stops at once when it should (a participant leaves, may no longer publish,
may no longer receive) and starts only once the client has accepted an offer
saying whose track it is.  A new subscription and every PLI/FIR from a
subscriber make the node ask the publisher for a keyframe, at most every 0.5 s
per track.

Frames are never decoded or encoded on the node (:mod:`media.passthrough`);
components that need the media register a :class:`~media.tap.MediaTap`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Collection

from aiortc.exceptions import InvalidStateError

from hearing.errors import NotFound

from . import passthrough
from .ice import (
    IceConfig,
    IceServer,
    advertised_addresses,
    check_aioice_compatible,
    consent_checks_stop_at_close,
    receive_buffer,
)
from .room import Room
from .sdp import SessionDescription
from .stats import ParticipantMedia
from .subscriber import SubscriberOffer
from .tap import MediaTap, TapRegistry

__all__ = ["MediaNode", "RenegotiationNeeded"]

log = logging.getLogger(__name__)

RenegotiationNeeded = Callable[[str, str], None]
"""``(hearing_id, participant_id)``: that participant's subscribe connection needs an offer."""


class MediaNode:
    """The hearings hosted on this node, their participants' connections and tracks."""

    def __init__(
        self,
        config: IceConfig,
        *,
        node_id: str,
        on_renegotiate: RenegotiationNeeded | None = None,
    ) -> None:
        self.config = config
        self.node_id = node_id
        self.on_renegotiate = on_renegotiate
        """Called (synchronously; it must not block) when a subscribe connection needs an offer."""
        self._rtc_configuration = config.rtc_configuration()
        self._rooms: dict[str, Room] = {}
        self._taps = TapRegistry()
        self._hooks = contextlib.ExitStack()
        self._started = False
        self._closed = False

    async def start(self) -> None:
        """Check and install the aiortc/aioice hooks; fails loudly on an untested version."""
        if self._started:
            raise RuntimeError("the media node is already started")
        passthrough.check_aiortc_compatible()
        check_aioice_compatible()
        self._hooks.enter_context(passthrough.installed())
        self._hooks.enter_context(consent_checks_stop_at_close())
        self._hooks.enter_context(receive_buffer(self.config.receive_buffer_bytes))
        if self.config.advertise_ip:
            self._hooks.enter_context(advertised_addresses(self.config.advertise_ip))
        self._started = True
        log.info("media node %s started (advertising %s)", self.node_id, self.config.advertise_ip)

    async def close(self) -> None:
        """Close every connection and end every track, then remove the hooks (idempotent)."""
        if self._closed:
            return
        self._closed = True
        rooms, self._rooms = list(self._rooms.values()), {}
        for room in rooms:
            await room.close()
        self._hooks.close()
        log.info("media node %s closed", self.node_id)

    def ice_servers_for(self, participant_id: str) -> tuple[IceServer, ...]:
        """The STUN/TURN servers to give this participant's browser (fresh TURN credentials)."""
        return self.config.browser_ice_servers(participant_id)

    def join(
        self, hearing_id: str, participant_id: str, *, publishes: bool = True, receives: bool = True
    ) -> None:
        """Admit a participant to the hearing's media; they then receive every publisher."""
        self._check_running()
        room = self._rooms.get(hearing_id)
        if room is None:
            room = self._rooms[hearing_id] = Room(
                hearing_id,
                configuration=self._rtc_configuration,
                taps=self._taps,
                notify=lambda participant_id: self._renegotiate(hearing_id, participant_id),
            )
        room.join(participant_id, publishes=publishes, receives=receives)

    async def publish(
        self, hearing_id: str, participant_id: str, offer: SessionDescription
    ) -> SessionDescription:
        """Answer a participant's publish offer.

        Raises InvalidInput (malformed SDP, no codec the node forwards), Conflict
        (already publishing), NotFound (not joined).
        """
        return await self._room(hearing_id).publish(participant_id, offer)

    async def subscriber_offer(
        self, hearing_id: str, participant_id: str
    ) -> SubscriberOffer | None:
        """The next offer for the participant's subscribe connection; None if none is due."""
        try:
            return await self._room(hearing_id).subscriber_offer(participant_id)
        except InvalidStateError:  # closed while the offer was being made: they left
            raise NotFound(f"participant {participant_id} has left the media") from None

    async def subscriber_answer(
        self, hearing_id: str, participant_id: str, answer: SessionDescription
    ) -> None:
        """Apply the client's answer to the last subscriber offer."""
        await self._room(hearing_id).subscriber_answer(participant_id, answer)

    def set_receives(self, hearing_id: str, participant_id: str, receives: bool) -> None:
        """Whether the participant gets the others' media (False: nothing at all is sent)."""
        self._room(hearing_id).set_receives(participant_id, receives)

    def set_publishes(self, hearing_id: str, participant_id: str, allowed: bool) -> None:
        """Whether the participant's tracks are forwarded (False: to nobody, taps included)."""
        self._room(hearing_id).set_publishes(participant_id, allowed)

    def request_keyframe(self, hearing_id: str, participant_id: str) -> None:
        """Ask the participant's camera for a keyframe (rate-limited like every request)."""
        room = self._rooms.get(hearing_id)
        if room is not None:
            with contextlib.suppress(NotFound):  # gone meanwhile: nothing to ask
                room.request_keyframe(participant_id)

    def set_rights(
        self,
        hearing_id: str,
        participant_id: str,
        *,
        audio: bool,
        video: bool,
        receives: bool,
        group: str = "",
        recorded: bool = True,
        audience: Collection[str] = (),
    ) -> None:
        """Everything the node forwards for a participant, at once.

        ``audio``/``video``: their microphone/camera is forwarded (False: a mute; the
        track stays in everyone's offer, no frame is sent). ``receives``: they get the
        others' media. ``group``: media flows only between participants of the same
        group (a caucus). ``recorded``: taps get their tracks. ``audience``: participants
        outside the group who get their tracks as well, one way.
        """
        self._room(hearing_id).set_rights(
            participant_id,
            audio=audio,
            video=video,
            receives=receives,
            group=group,
            recorded=recorded,
            audience=audience,
        )

    async def leave(self, hearing_id: str, participant_id: str) -> None:
        """Close both of the participant's connections; the others keep their media."""
        room = self._room(hearing_id)
        await room.leave(participant_id)
        if not len(room) and self._rooms.get(hearing_id) is room:
            del self._rooms[hearing_id]
            await room.close()

    def state(self, hearing_id: str) -> dict[str, ParticipantMedia]:
        """Every participant's media in the hearing, by participant id."""
        return self._room(hearing_id).state()

    def add_tap(self, tap: MediaTap) -> None:
        """Give ``tap`` every published track, the running ones and those to come."""
        self._taps.add_tap(tap)

    def remove_tap(self, tap: MediaTap) -> None:
        """Stop giving ``tap`` tracks; its sinks are ended."""
        self._taps.remove_tap(tap)

    def _room(self, hearing_id: str) -> Room:
        self._check_running()
        room = self._rooms.get(hearing_id)
        if room is None:
            raise NotFound(f"hearing {hearing_id} has no media on this node")
        return room

    def _check_running(self) -> None:
        if not self._started or self._closed:
            raise RuntimeError("the media node is not running")

    def _renegotiate(self, hearing_id: str, participant_id: str) -> None:
        if self.on_renegotiate is not None:
            self.on_renegotiate(hearing_id, participant_id)
