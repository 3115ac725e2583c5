"""Per-track and per-participant media figures that the rest of the application reads."""

from __future__ import annotations

from dataclasses import dataclass

from .codecs import MediaKind

__all__ = ["ParticipantMedia", "TrackMedia", "TrackStats"]

_BITRATE_WINDOW = 1.0
"""Seconds over which a track's bitrate is measured."""


@dataclass(frozen=True)
class TrackMedia:
    """A published track as the node sees it."""

    kind: MediaKind
    codec: str
    bitrate_bps: int
    """Media payload bitrate over the last second (RTP headers not counted)."""
    frames: int
    keyframes: int
    keyframe_requests: int
    """PLIs the node sent the publisher for this track."""
    packets: int
    """RTP packets received (retransmissions excluded)."""
    packets_lost: int
    """RTP packets never received, as RTCP receiver reports count them."""
    last_packet_at: float | None
    """Wall-clock time of the last complete frame, None before the first."""


@dataclass(frozen=True)
class ParticipantMedia:
    """One participant's media on the node."""

    participant_id: str
    publishing: bool
    """The participant has live published tracks and the node forwards them."""
    receiving: bool
    """The node sends the participant the others' media (their subscribe connection is up)."""
    publish_connection: str
    """State of the publish connection (``"new"``, ``"connected"``, ``"failed"``...); ``"none"``."""
    subscribe_connection: str
    """State of the subscribe connection, as ``publish_connection``."""
    tracks: tuple[TrackMedia, ...]
    """The participant's published tracks."""
    receiving_from: tuple[str, ...]
    """Participants whose media the node currently forwards to this one."""
    forwarded_frames: int
    """Frames the node has sent this participant so far, all tracks together."""
    dropped_frames: int
    """Frames not sent to this participant: waiting for a keyframe, or falling behind."""


class TrackStats:
    """Running counters of one published track, updated for every frame."""

    def __init__(self) -> None:
        self.frames = 0
        self.keyframes = 0
        self.bytes = 0
        self.last_packet_at: float | None = None
        self.keyframe_requests = 0
        """PLIs sent to the publisher."""
        self._window_start = 0.0
        self._window_bytes = 0
        self._bitrate_bps = 0

    def add(self, size: int, keyframe: bool, now: float) -> None:
        self.frames += 1
        self.keyframes += keyframe
        self.bytes += size
        if now - self._window_start >= _BITRATE_WINDOW:
            elapsed = now - self._window_start
            # A window that saw no frame for a long time reads as idle, not as a
            # burst divided by a huge interval.
            self._bitrate_bps = (
                int(self._window_bytes * 8 / elapsed) if elapsed < 2 * _BITRATE_WINDOW else 0
            )
            self._window_start = now
            self._window_bytes = 0
        self._window_bytes += size
        self.last_packet_at = now

    def bitrate_bps(self, now: float) -> int:
        """The last measured bitrate; 0 once the track has been silent for a while."""
        if self.last_packet_at is None or now - self.last_packet_at > 2 * _BITRATE_WINDOW:
            return 0
        return self._bitrate_bps
