"""The outgoing track of one subscriber transceiver, fed with packets of a publisher's track.

A :class:`Subscription` lives as long as its transceiver (aiortc cannot remove
one) and can be attached to different publisher tracks over its life: the slot
of a participant who left is reused for the next one, with no new track on the
subscriber's side.  aiortc's ``RTCRtpSender`` reads it like any track; because
it returns ``av.Packet``, the sender packetizes without encoding.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Protocol

import av
from aiortc.mediastreams import MediaStreamTrack

from .codecs import Codec

__all__ = ["PacketSource", "Subscription"]

_MAX_QUEUED = {"audio": 50, "video": 60}
"""About two seconds of video, one of audio: more means the connection cannot keep up."""
_FRAME_TICKS = {"audio": 960, "video": 3000}
"""RTP timestamp step of one frame (20 ms Opus at 48 kHz, 30 fps video at 90 kHz)."""


class PacketSource(Protocol):
    """What a subscription is attached to: a publisher's track (a Forwarder)."""

    def add_subscription(self, subscription: Subscription) -> None: ...

    def remove_subscription(self, subscription: Subscription) -> None: ...

    def request_keyframe(self) -> None: ...


class Subscription(MediaStreamTrack):
    """A track whose frames are the packets of whichever source it is attached to."""

    def __init__(self, codec: Codec) -> None:
        super().__init__()
        self.kind = codec.kind
        self.codec = codec
        self.frames_sent = 0
        self.frames_dropped = 0
        """Frames dropped because the connection did not keep up, or waiting for a keyframe."""
        self.keyframe_requests = 0
        """PLIs/FIRs the subscriber sent for this track."""
        self._source: PacketSource | None = None
        # Never replaced: aiortc's sender may be waiting in its get().
        self._queue: asyncio.Queue[av.Packet[Any]] = asyncio.Queue()
        self._need_keyframe = False
        self._offset: int | None = None
        self._last_pts: int | None = None
        self._last_sent_at = 0.0

    @property
    def source(self) -> PacketSource | None:
        return self._source

    def attach(self, source: PacketSource) -> None:
        """Forward ``source`` from its next keyframe on, in place of any previous source."""
        self.detach()
        self._source = source
        self._need_keyframe = self.kind == "video"
        self._offset = None
        source.add_subscription(self)
        source.request_keyframe()

    def detach(self) -> None:
        """Stop forwarding; the subscriber's track stays, silent, until the next attach."""
        if self._source is not None:
            self._source.remove_subscription(self)
            self._source = None
        self._drain()

    def push(self, packet: av.Packet[Any]) -> None:
        """Queue a packet of the source (called by the source for every frame)."""
        if self._need_keyframe:
            if not packet.is_keyframe:
                self.frames_dropped += 1
                return
            self._need_keyframe = False
        if self._queue.qsize() >= _MAX_QUEUED[self.kind]:
            # The connection does not keep up: drop what is queued and, for video,
            # restart from a keyframe rather than send a picture that cannot decode.
            self.frames_dropped += self._queue.qsize()
            self._drain()
            if self.kind == "video":
                self._need_keyframe = True
                if self._source is not None:
                    self._source.request_keyframe()
                return
        self._queue.put_nowait(packet)

    def keyframe_requested(self) -> None:
        """The subscriber lost the picture (PLI/FIR): ask the publisher for a keyframe."""
        self.keyframe_requests += 1
        if self._source is not None:
            self._source.request_keyframe()

    async def recv(self) -> av.Packet[Any]:
        packet = await self._queue.get()
        now = time.time()
        if self._offset is None:
            self._offset = self._continuing_offset(packet, now)
        if self._offset:
            # Packets are shared with other subscriptions and taps: copy, never modify.
            shifted = av.Packet(bytes(packet))
            shifted.pts = (packet.pts or 0) + self._offset
            shifted.time_base = packet.time_base
            shifted.is_keyframe = packet.is_keyframe
            packet = shifted
        self._last_pts = packet.pts
        self._last_sent_at = now
        self.frames_sent += 1
        return packet

    def _continuing_offset(self, packet: av.Packet[Any], now: float) -> int:
        """Timestamp shift that makes a new source continue where the previous one stopped.

        The subscriber sees one RTP stream per transceiver; a jump in its timestamps at a
        source switch would upset its jitter buffer, so they advance by the time elapsed.
        """
        if self._last_pts is None:
            return 0
        ticks = round((now - self._last_sent_at) * self.codec.clock_rate)
        expected = self._last_pts + max(_FRAME_TICKS[self.kind], ticks)
        return expected - (packet.pts or 0)

    def _drain(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()
        self._offset = None
