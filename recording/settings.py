"""How the recorder behaves: one frozen object, built once by whoever creates recorders."""

from __future__ import annotations

from dataclasses import dataclass, field

from .timeline import TimelineSettings

__all__ = ["RecordingSettings"]


@dataclass(frozen=True, slots=True)
class RecordingSettings:
    """Settings of every recorder of a server (the defaults suit aiortc's media node)."""

    min_free_bytes: int = 2 * 1024**3
    """Below this much free space the recorder warns, before writes can fail."""
    cluster_seconds: float = 0.5
    """Longest Matroska cluster: what a crash can lose, at most, besides idle time."""
    idle_close_seconds: float = 1.5
    """A participant from whom nothing arrived this long has their file closed (and safe)."""
    gather_seconds: float = 0.5
    """How long a new file waits for the participant's other track before opening without it."""
    keyframe_wait_seconds: float = 2.0
    """How long a new file waits for a video key frame (to learn the picture size)."""
    retry_seconds: float = 5.0
    """After a write error, how long before a participant's recording is tried again."""
    disk_check_seconds: float = 1.0
    max_backlog: int = 20_000
    """Packets queued for the writer thread before new ones are dropped (and alerted)."""
    timeline: TimelineSettings = field(default_factory=TimelineSettings)

    def __post_init__(self) -> None:
        if self.min_free_bytes < 0:
            raise ValueError("min_free_bytes must not be negative")
        if not 0 < self.cluster_seconds <= 1.0:
            raise ValueError("cluster_seconds must be in (0, 1]: a crash loses up to a cluster")
        if self.idle_close_seconds <= 0 or self.gather_seconds < 0:
            raise ValueError("idle_close_seconds must be positive and gather_seconds not negative")
