"""The writer thread's view of a participant: their current tracks, open file, gathered frames."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .commands import TrackStarted
from .segment import Segment, segment_prefix
from .settings import RecordingSettings
from .timeline import TrackTimeline
from .webm import StreamSpec

__all__ = ["Participant", "Pending", "Track", "next_segment_number"]


class Track:
    """One published track: where its frames sit on the wall clock, its picture size."""

    def __init__(self, started: TrackStarted, settings: RecordingSettings) -> None:
        self.id = started.track_id
        self.participant_id = started.participant_id
        self.kind = started.kind
        self.codec = started.codec
        self.clock_rate = started.clock_rate
        self.timeline: TrackTimeline[tuple[bytes, bool]] = TrackTimeline(
            self.clock_rate, release_lag=started.release_lag, settings=settings.timeline
        )
        self.dims: tuple[int, int] | None = None
        self.ended = False
        self.superseded = False

    def spec(self) -> StreamSpec | None:
        if self.kind == "video":
            if self.dims is None:
                return None
            return StreamSpec(self.kind, self.codec, self.clock_rate, *self.dims)
        return StreamSpec(self.kind, self.codec, self.clock_rate)


@dataclass(slots=True)
class Pending:
    kind: str
    data: bytes
    wall: float
    keyframe: bool


class Participant:
    """A participant's current tracks, open file and frames gathered before it opens."""

    def __init__(self, participant_id: str, next_number: int) -> None:
        self.id = participant_id
        self.tracks: dict[str, Track] = {}
        self.segment: Segment | None = None
        self.pending: list[Pending] = []
        self.pending_since = 0.0
        self.next_number = next_number
        self.retry_at = float("-inf")
        self.last_seen = time.monotonic()

    def active(self) -> list[Track]:
        return sorted((t for t in self.tracks.values() if not t.ended), key=lambda t: t.kind)

    def streams_to_open(
        self, settings: RecordingSettings, *, force: bool = False
    ) -> tuple[StreamSpec, ...] | None:
        """The streams a new file can be opened with now, or None to keep gathering frames.

        Every active track must be describable (video: a key frame told its size) and have
        sent a frame, unless waiting longer is pointless (`force`: the recording pauses) or
        has gone on long enough: then the file opens without the missing track.
        """
        walls = [p.wall for p in self.pending]
        waited = max(max(walls) - min(walls), time.monotonic() - self.pending_since)
        seen = {p.kind for p in self.pending}
        specs: list[StreamSpec] = []
        keyframe = any(p.kind == "video" and p.keyframe for p in self.pending)
        for track in self.active():
            spec = track.spec()
            # Video whose size no key frame has told yet; or H.264, whose file header
            # needs the parameter sets of a key frame in hand.
            if spec is None or (spec.codec == "H264" and not keyframe):
                if waited < settings.keyframe_wait_seconds and not force:
                    return None
                continue
            if track.kind not in seen and waited < settings.gather_seconds and not force:
                return None  # the other track of a joining participant is probably on its way
            specs.append(spec)
        if len(specs) == 1 and waited < settings.gather_seconds and not force:
            # One track known so far: a camera and a microphone published together reach
            # the recorder tens of milliseconds apart; a file opened now would have to be
            # closed again for the second (a file's streams are fixed when it opens).
            return None
        return tuple(specs)


def next_segment_number(folder: Path, hearing_id: str, participant_id: str) -> int:
    """After every segment of the participant already there (a restart continues the numbering)."""
    prefix = segment_prefix(hearing_id, participant_id)
    numbers = [0]
    for place in (folder, folder / "crashed"):
        if place.is_dir():
            for path in place.glob(prefix + "*"):
                digits = path.name[len(prefix) :].split(".")[0]
                if digits.isdigit():
                    numbers.append(int(digits))
    return max(numbers) + 1
