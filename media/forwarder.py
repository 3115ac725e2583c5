"""A published track on the node: its encoded frames go to every subscription and tap.

The node's receive track yields ``av.Packet`` (see :mod:`media.passthrough`); the
forwarder hands each one, untouched, to the subscriptions attached to it and to
the taps' sinks.  Keyframe requests (a new subscription, a subscriber's PLI) are
merged into PLIs to the publisher, at most one per ``keyframe_interval`` plus one
trailing request, so that many subscribers losing a picture at once cost the
publisher one keyframe.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import av
from aiortc import RTCRtpReceiver
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from hearing.tasks import TaskSet

from . import passthrough
from .codecs import Codec, MediaKind
from .stats import TrackMedia, TrackStats
from .subscription import Subscription
from .tap import MediaPacket, MediaTap, PacketSink, TapRegistry, TrackInfo

__all__ = ["Forwarder"]

log = logging.getLogger(__name__)

KEYFRAME_INTERVAL = 0.5
"""Shortest time in seconds between two PLIs the node sends for one track."""
RETRANSMISSION_INTERVAL = 0.2
"""How long a packet stays missing before the node asks for it again."""


class Forwarder:
    """Reads one publisher track and fans its packets out."""

    def __init__(
        self,
        *,
        hearing_id: str,
        participant_id: str,
        codec: Codec,
        track: MediaStreamTrack,
        receiver: RTCRtpReceiver,
        taps: TapRegistry,
        rtx_ssrcs: frozenset[int] = frozenset(),
        on_ended: Callable[[Forwarder], None] | None = None,
        keyframe_interval: float = KEYFRAME_INTERVAL,
    ) -> None:
        self.hearing_id = hearing_id
        self.participant_id = participant_id
        self.codec = codec
        self.stats = TrackStats()
        self.forwarding = True
        """False: frames go to nobody (subscribers and taps)."""
        self.recorded = True
        """False: frames go to subscribers only, not to taps (e.g. a caucus)."""
        self.ended = False
        self._track = track
        self._receiver = receiver
        self._taps = taps
        self._rtx_ssrcs = rtx_ssrcs
        self._on_ended = on_ended
        self._keyframe_interval = keyframe_interval
        self._info: TrackInfo | None = None
        self._subscriptions: set[Subscription] = set()
        self._sinks: dict[int, tuple[MediaTap, PacketSink]] = {}
        self._keyframe_wanted = asyncio.Event()
        self._tasks = TaskSet(f"forwarder {participant_id}/{codec.kind}")

    def __repr__(self) -> str:
        return f"<Forwarder {self.participant_id}/{self.kind} {self.codec.name}>"

    @property
    def kind(self) -> MediaKind:
        return self.codec.kind

    @property
    def info(self) -> TrackInfo | None:
        """What taps are told of the track; None until its first frame."""
        return self._info

    @property
    def subscriptions(self) -> frozenset[Subscription]:
        return frozenset(self._subscriptions)

    def start(self) -> None:
        self._tasks.spawn(self._run(), name=f"{self!r} packets")
        if self.kind == "video":
            self._tasks.spawn(self._request_keyframes(), name=f"{self!r} keyframes")
            self._tasks.spawn(self._request_retransmissions(), name=f"{self!r} repairs")

    async def close(self) -> None:
        """Stop reading (idempotent); sinks are ended, subscriptions detached."""
        await self._tasks.cancel_and_wait()
        self._end()

    # PacketSource, for subscriptions
    def add_subscription(self, subscription: Subscription) -> None:
        self._subscriptions.add(subscription)

    def remove_subscription(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    def request_keyframe(self) -> None:
        """Ask the publisher for a keyframe soon (merged with other requests)."""
        if self.kind == "video":
            self._keyframe_wanted.set()

    # TapTarget, for the tap registry
    def add_sink(self, tap: MediaTap, sink: PacketSink) -> None:
        self._sinks[id(tap)] = (tap, sink)

    def remove_tap(self, tap: MediaTap) -> None:
        entry = self._sinks.pop(id(tap), None)
        if entry is not None:
            self._end_sink(*entry)

    def media(self, now: float) -> TrackMedia:
        """The track's figures now."""
        received = lost = 0
        for ssrc, (r, lo) in passthrough.receive_statistics(self._receiver).items():
            if ssrc not in self._rtx_ssrcs:
                received, lost = received + r, lost + lo
        return TrackMedia(
            kind=self.kind,
            codec=self.codec.name,
            bitrate_bps=self.stats.bitrate_bps(now),
            frames=self.stats.frames,
            keyframes=self.stats.keyframes,
            keyframe_requests=self.stats.keyframe_requests,
            packets=received,
            packets_lost=lost,
            last_packet_at=self.stats.last_packet_at,
        )

    async def _run(self) -> None:
        try:
            while True:
                try:
                    packet = await self._track.recv()
                except MediaStreamError:  # the publisher stopped or the connection closed
                    return
                if not isinstance(packet, av.Packet):
                    # A decoded frame: the passthrough hook missed this receiver.
                    log.error("%r: receive track yields %s, not packets", self, type(packet))
                    return
                self._deliver(packet)
        finally:
            self._end()

    def _deliver(self, packet: av.Packet[Any]) -> None:
        arrival = time.time()
        keyframe = packet.is_keyframe
        self.stats.add(packet.size, keyframe, arrival)
        if self._info is None:
            self._info = TrackInfo(
                hearing_id=self.hearing_id,
                participant_id=self.participant_id,
                kind=self.kind,
                codec=self.codec.name,
                clock_rate=self.codec.clock_rate,
                started_at=arrival,
                release_lag=passthrough.release_lag(self.kind),
            )
            self._taps.track_started(self, self._info)
        if not self.forwarding:
            return
        for subscription in self._subscriptions:
            subscription.push(packet)
        if self._sinks and self.recorded:
            media_packet = MediaPacket(packet=packet, keyframe=keyframe, arrival=arrival)
            for key, (tap, sink) in list(self._sinks.items()):
                try:
                    sink.push(media_packet)
                except Exception:
                    # One broken consumer must not stop the hearing's media.
                    log.exception("%r: sink of tap %r failed; it gets no more packets", self, tap)
                    del self._sinks[key]
                    self._end_sink(tap, sink)

    async def _request_keyframes(self) -> None:
        while True:
            await self._keyframe_wanted.wait()
            self._keyframe_wanted.clear()
            if await passthrough.request_keyframe(self._receiver):
                self.stats.keyframe_requests += 1
            else:  # no packet yet, so no stream to name: ask again after the pause
                self._keyframe_wanted.set()
            # Requests arriving meanwhile make one trailing PLI after the pause.
            await asyncio.sleep(self._keyframe_interval)

    async def _request_retransmissions(self) -> None:
        # A video frame with a missing packet holds back every later one (aiortc's
        # jitter buffer waits for it), so keep asking while the publisher may have it.
        waiting: frozenset[int] = frozenset()
        while True:
            await asyncio.sleep(RETRANSMISSION_INTERVAL)
            still_missing = waiting & passthrough.missing_packets(self._receiver)
            if still_missing:
                media = {s.source for s in self._receiver.getSynchronizationSources()}
                await passthrough.request_retransmission(
                    self._receiver, still_missing, media_ssrcs=media - self._rtx_ssrcs
                )
            waiting = passthrough.missing_packets(self._receiver)

    def _end(self) -> None:
        if self.ended:
            return
        self.ended = True
        self._taps.track_ended(self)
        for subscription in list(self._subscriptions):
            subscription.detach()
        sinks, self._sinks = list(self._sinks.values()), {}
        for tap, sink in sinks:
            self._end_sink(tap, sink)
        if self._on_ended is not None:
            self._on_ended(self)

    def _end_sink(self, tap: MediaTap, sink: PacketSink) -> None:
        try:
            sink.end()
        except Exception:
            log.exception("%r: sink of tap %r failed to end", self, tap)
