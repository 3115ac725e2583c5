"""What the event loop sends the writer thread: tracks starting and ending, frames, lifecycle."""

from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass
from enum import StrEnum

from .journal import SegmentRecord

__all__ = [
    "Action",
    "Command",
    "Dimensions",
    "Frame",
    "Lifecycle",
    "TrackEnded",
    "TrackStarted",
]


@dataclass(frozen=True, slots=True)
class TrackStarted:
    track_id: int
    participant_id: str
    kind: str
    codec: str
    clock_rate: int
    release_lag: int


@dataclass(frozen=True, slots=True)
class Frame:
    track_id: int
    data: bytes
    rtp: int
    arrival: float
    keyframe: bool
    dims: tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class Dimensions:
    """A video key frame's size, seen while not recording (so the next file knows it)."""

    track_id: int
    dims: tuple[int, int]


@dataclass(frozen=True, slots=True)
class TrackEnded:
    track_id: int


class Action(StrEnum):
    START = "start"
    PAUSE = "pause"
    STOP = "stop"
    CLOSE = "close"


@dataclass(frozen=True, slots=True)
class Lifecycle:
    action: Action
    at: float
    done: concurrent.futures.Future[list[SegmentRecord]]


Command = TrackStarted | Frame | Dimensions | TrackEnded | Lifecycle
