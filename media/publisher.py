"""A participant's publish connection: the client offers, the node answers and receives."""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import MediaStreamTrack

from hearing.errors import InvalidInput, Reason

from . import passthrough
from .codecs import MediaKind
from .forwarder import Forwarder
from .sdp import PublishedMedia, SessionDescription
from .tap import TapRegistry

__all__ = ["Publisher"]

log = logging.getLogger(__name__)


class Publisher:
    """One publish ``RTCPeerConnection`` and a :class:`Forwarder` per track it receives."""

    def __init__(
        self,
        *,
        hearing_id: str,
        participant_id: str,
        configuration: RTCConfiguration,
        taps: TapRegistry,
        on_track_ended: Callable[[Forwarder], None],
    ) -> None:
        self.hearing_id = hearing_id
        self.participant_id = participant_id
        self.forwarders: dict[MediaKind, Forwarder] = {}
        self._configuration = configuration
        self._taps = taps
        self._on_track_ended = on_track_ended
        self._pc: RTCPeerConnection | None = None
        self._closed = False

    @property
    def connection_state(self) -> str:
        return self._pc.connectionState if self._pc is not None else "none"

    @property
    def live(self) -> bool:
        """Publishing or about to: not closed, not failed, and some track not ended."""
        if self._closed or self.connection_state in ("failed", "closed"):
            return False
        return not self.forwarders or any(not f.ended for f in self.forwarders.values())

    async def answer(
        self, offer: SessionDescription, published: list[PublishedMedia], *, forwarding: bool
    ) -> SessionDescription:
        """Accept the client's offer (already checked by ``read_publish_offer``)."""
        pc = self._pc = RTCPeerConnection(self._configuration)
        by_mid = {m.mid: m for m in published}
        for media in published:
            # Created before the offer is applied, so that aiortc uses them (matched by
            # kind) and answers with exactly the chosen codec.
            transceiver = pc.addTransceiver(media.kind, direction="recvonly")
            transceiver.setCodecPreferences(media.codec.preferences())

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            # Synchronous, during setRemoteDescription: before the receiver starts.
            transceiver = next(t for t in pc.getTransceivers() if t.receiver.track is track)
            passthrough.mark_passthrough(transceiver.receiver)
            media = by_mid.get(transceiver.mid or "") or next(
                m for m in published if m.kind == track.kind
            )
            forwarder = Forwarder(
                hearing_id=self.hearing_id,
                participant_id=self.participant_id,
                codec=media.codec,
                track=track,
                receiver=transceiver.receiver,
                taps=self._taps,
                rtx_ssrcs=media.rtx_ssrcs,
                on_ended=self._on_track_ended,
            )
            forwarder.forwarding = forwarding
            self.forwarders[media.kind] = forwarder

        try:
            await pc.setRemoteDescription(offer.to_aiortc())
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as e:  # aiortc refuses what it cannot use in many ways
            raise InvalidInput(
                f"the publish offer could not be applied: {e}", reason=Reason.INVALID_SDP
            ) from e
        for forwarder in self.forwarders.values():
            forwarder.start()
        return SessionDescription.from_aiortc(pc.localDescription)

    async def close(self) -> None:
        """Close the connection and end its tracks (idempotent)."""
        if self._closed:
            return
        self._closed = True
        for forwarder in list(self.forwarders.values()):
            await forwarder.close()
        if self._pc is not None:
            await passthrough.close_connection(self._pc)
