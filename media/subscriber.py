"""A participant's subscribe connection: the node offers the others' tracks, the client answers.

The connection has one sendonly transceiver ("slot") per track it carries.  aiortc
cannot remove a transceiver, so a slot whose publisher left stays, idle, and is
given to the next publisher track with the same codec; the subscriber's track for
that ``mid`` then carries someone else, which the offer's ``tracks`` map (and the
``msid`` stream id) tells the client.

Negotiation state of each slot: ``source`` is the publisher track it should carry,
``offered`` the one the latest offer announced, ``answered`` the one the client
accepted.  Media flows only when all three agree, so a client never gets a track
before it has been told whose it is.  Stopping is immediate: a slot whose source
is no longer wanted is detached at once, then announced idle in the next offer.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpTransceiver,
)

from hearing.errors import Conflict, InvalidInput, Reason

from . import passthrough
from .codecs import Codec, MediaKind
from .forwarder import Forwarder
from .sdp import SessionDescription, parse
from .subscription import Subscription

__all__ = ["OfferedTrack", "Subscriber", "SubscriberOffer"]

_STREAM_ID = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


@dataclass(frozen=True)
class OfferedTrack:
    """Whose track a subscriber transceiver carries."""

    participant_id: str
    kind: MediaKind


@dataclass(frozen=True)
class SubscriberOffer:
    """An offer for a participant's subscribe connection."""

    description: SessionDescription
    tracks: Mapping[str, OfferedTrack]
    """``mid`` -> publisher track; a ``mid`` not listed is idle (its publisher left)."""


def stream_id(participant_id: str) -> str:
    """The ``msid`` stream of a publisher's tracks: the id itself when SDP allows it."""
    if _STREAM_ID.fullmatch(participant_id):
        return participant_id
    return "p-" + hashlib.sha256(participant_id.encode()).hexdigest()[:32]


class _Slot:
    def __init__(self, transceiver: RTCRtpTransceiver, subscription: Subscription) -> None:
        self.transceiver = transceiver
        self.subscription = subscription
        self.source: Forwarder | None = None
        self.offered: Forwarder | None = None
        self.answered: Forwarder | None = None

    @property
    def codec(self) -> Codec:
        return self.subscription.codec


class Subscriber:
    """One subscribe ``RTCPeerConnection``; the node is always the offerer."""

    def __init__(self, *, participant_id: str, configuration: RTCConfiguration) -> None:
        self.participant_id = participant_id
        self._configuration = RTCConfiguration(
            iceServers=configuration.iceServers,
            iceTransportPolicy=configuration.iceTransportPolicy,
            # One transport for every slot, from the first offer on.
            bundlePolicy=RTCBundlePolicy.MAX_BUNDLE,
        )
        self._pc: RTCPeerConnection | None = None
        self._slots: list[_Slot] = []
        self._wanted: list[Forwarder] = []
        self._pending = False
        self._lock = asyncio.Lock()
        self._closed = False

    @property
    def connection_state(self) -> str:
        return self._pc.connectionState if self._pc is not None else "none"

    @property
    def pending(self) -> bool:
        """An offer was made and its answer has not come yet."""
        return self._pending

    @property
    def needs_offer(self) -> bool:
        """What the participant should receive differs from what was last offered."""
        offered = {slot.offered for slot in self._slots if slot.offered is not None}
        return not self._closed and offered != set(self._wanted)

    @property
    def receiving_from(self) -> tuple[str, ...]:
        """Participants whose tracks are flowing to this one now."""
        ids = (s.source.participant_id for s in self._slots if self._flows(s) and s.source)
        return tuple(dict.fromkeys(ids))

    @property
    def frames_sent(self) -> int:
        return sum(slot.subscription.frames_sent for slot in self._slots)

    @property
    def frames_dropped(self) -> int:
        return sum(slot.subscription.frames_dropped for slot in self._slots)

    def want(self, sources: Sequence[Forwarder]) -> None:
        """Set the publisher tracks this participant should receive, in display order."""
        self._wanted = [s for s in sources if not s.ended]
        self._sync()

    async def create_offer(self) -> SubscriberOffer | None:
        """The next offer, or None if nothing changed or an offer awaits its answer."""
        async with self._lock:
            if self._closed or self._pending or not self.needs_offer:
                return None
            if self._pc is None:
                self._pc = RTCPeerConnection(self._configuration)
            self._place(self._pc)
            for slot in self._slots:
                slot.offered = slot.source
                if slot.source is not None:
                    passthrough.set_stream_id(
                        slot.transceiver.sender, stream_id(slot.source.participant_id)
                    )
            await self._pc.setLocalDescription(await self._pc.createOffer())
            self._pending = True
            tracks = {
                slot.transceiver.mid: OfferedTrack(slot.offered.participant_id, slot.offered.kind)
                for slot in self._slots
                if slot.offered is not None and slot.transceiver.mid is not None
            }
            offer = SessionDescription.from_aiortc(self._pc.localDescription)
            return SubscriberOffer(offer, tracks)

    async def accept_answer(self, answer: SessionDescription) -> None:
        """Apply the client's answer to the pending offer; media starts flowing."""
        parse(answer, "answer")
        async with self._lock:
            if self._closed or not self._pending or self._pc is None:
                raise Conflict(
                    "no subscriber offer is waiting for an answer",
                    reason=Reason.NO_OFFER_WAITING,
                )
            try:
                await self._pc.setRemoteDescription(answer.to_aiortc())
            except Exception as e:
                raise InvalidInput(
                    f"the subscriber answer could not be applied: {e}",
                    reason=Reason.INVALID_SDP,
                ) from e
            self._pending = False
            for slot in self._slots:
                slot.answered = slot.offered
            self._sync()

    async def close(self) -> None:
        """Stop sending and close the connection (idempotent)."""
        self._closed = True
        self._wanted = []
        for slot in self._slots:
            slot.subscription.detach()
            slot.source = None
        if self._pc is not None:
            await passthrough.close_connection(self._pc)

    def _flows(self, slot: _Slot) -> bool:
        return slot.source is not None and slot.source is slot.offered is slot.answered

    def _sync(self) -> None:
        """Make each slot's flow follow what is wanted, within what was negotiated."""
        wanted = set(self._wanted)
        for slot in self._slots:
            if slot.source is not None and slot.source not in wanted:
                slot.source = None
            if slot.source is None and slot.offered in wanted:
                slot.source = slot.offered  # back in the slot the client knows it in
            if self._flows(slot):
                if slot.subscription.source is not slot.source:
                    assert slot.source is not None
                    slot.subscription.attach(slot.source)
            elif slot.subscription.source is not None:
                slot.subscription.detach()

    def _place(self, pc: RTCPeerConnection) -> None:
        """Give every wanted track a slot: its previous one, a free one, or a new one."""
        placed = {slot.source for slot in self._slots}
        for source in self._wanted:
            if source in placed:
                continue
            free = [s for s in self._slots if s.source is None and s.codec == source.codec]
            slot = next((s for s in free if s.offered is source), None) or next(iter(free), None)
            if slot is None:
                slot = self._add_slot(pc, source.codec)
            slot.source = source

    def _add_slot(self, pc: RTCPeerConnection, codec: Codec) -> _Slot:
        subscription = Subscription(codec)
        transceiver = pc.addTransceiver(subscription, direction="sendonly")
        # Forwarding cannot transcode: the subscriber must take the publisher's codec.
        transceiver.setCodecPreferences(codec.preferences())
        passthrough.intercept_keyframe_requests(transceiver.sender, subscription.keyframe_requested)
        passthrough.release_receive_side(transceiver.receiver)
        slot = _Slot(transceiver, subscription)
        self._slots.append(slot)
        return slot
