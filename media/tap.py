"""Taps: how other components (recording, transcription) get every published track, encoded.

A component registers a :class:`MediaTap` with the media node.  For every track a
participant publishes, the node asks each tap whether it wants it
(:meth:`MediaTap.track_started`); a tap that does returns a :class:`PacketSink`,
which then gets every encoded frame of the track as it arrives, and ``end()`` once
when the track ends or the node closes.  The node never waits for a sink: a sink
that needs to do slow work (muxing, decoding audio) queues the packet and returns.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import av

from .codecs import MediaKind

__all__ = ["MediaPacket", "MediaTap", "PacketSink", "TapRegistry", "TapTarget", "TrackInfo"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrackInfo:
    """A published track, as a tap first hears of it."""

    hearing_id: str
    participant_id: str
    kind: MediaKind
    codec: str
    """``"opus"``, ``"VP8"`` or ``"H264"``."""
    clock_rate: int
    """RTP clock rate: packet timestamps count in 1/clock_rate seconds."""
    started_at: float
    """Wall-clock time (``time.time()``) at which the node started receiving the track."""
    release_lag: int = 1
    """The node has frame *N* complete when the first packet of frame *N + release_lag*
    arrives: a packet's ``arrival`` is that later packet's."""


@dataclass(frozen=True)
class MediaPacket:
    """One encoded frame of a published track.

    ``packet`` is shared with every other consumer: read it, never modify it.
    ``packet.pts`` is the RTP timestamp relative to the track's first frame, in
    ``packet.time_base`` (1/clock rate) units.
    """

    packet: av.Packet[Any]
    keyframe: bool
    """Whether a decoder can start at this frame (always true for audio)."""
    arrival: float
    """Wall-clock time (``time.time()``) at which the node had the complete frame."""


class PacketSink(Protocol):
    """Where the node delivers one track's packets; both methods must return at once."""

    def push(self, packet: MediaPacket) -> None: ...

    def end(self) -> None: ...


class MediaTap(Protocol):
    """A component that wants published tracks."""

    def track_started(self, track: TrackInfo) -> PacketSink | None:
        """Return a sink to get this track's packets, or None to skip the track."""
        ...


class TapTarget(Protocol):
    """A running track that taps can be given (a Forwarder)."""

    @property
    def info(self) -> TrackInfo | None: ...

    def add_sink(self, tap: MediaTap, sink: PacketSink) -> None: ...

    def remove_tap(self, tap: MediaTap) -> None: ...


class TapRegistry:
    """The node's taps and the tracks they can be given; new taps get running tracks too."""

    def __init__(self) -> None:
        self._taps: list[MediaTap] = []
        self._tracks: set[TapTarget] = set()

    def add_tap(self, tap: MediaTap) -> None:
        if any(t is tap for t in self._taps):
            return
        self._taps.append(tap)
        for track in list(self._tracks):
            if track.info is not None:
                self._offer(tap, track, track.info)

    def remove_tap(self, tap: MediaTap) -> None:
        self._taps = [t for t in self._taps if t is not tap]
        for track in list(self._tracks):
            track.remove_tap(tap)

    def track_started(self, track: TapTarget, info: TrackInfo) -> None:
        """A track has its first frame: offer it to every tap."""
        self._tracks.add(track)
        for tap in list(self._taps):
            self._offer(tap, track, info)

    def track_ended(self, track: TapTarget) -> None:
        self._tracks.discard(track)

    @staticmethod
    def _offer(tap: MediaTap, track: TapTarget, info: TrackInfo) -> None:
        try:
            sink = tap.track_started(info)
        except Exception:
            log.exception("tap %r failed to take %s %s", tap, info.participant_id, info.kind)
            return
        if sink is not None:
            track.add_sink(tap, sink)
