"""Placing one track's frames on the wall clock, from RTP timestamps and arrival times.

Within a track, RTP timestamps give the spacing of frames exactly; arrival times
(when the media node had a complete frame) only anchor the track: the offset
between the two is estimated as the smallest ``arrival - media time`` seen, since
network and buffering only ever delay a frame.

* **Release lag.** The media node has a frame complete when a later frame's first
  packet arrives (aiortc's jitter buffer tells a frame complete by the next
  timestamp; the track says how many frames later, ``TrackInfo.release_lag``).
  So the arrival of frame *N* is paired with the timestamp of frame *N + lag*,
  which cancels that buffering delay exactly, at whatever frame rate (otherwise
  audio and video would sit a frame's length apart, differently for each).
* **Drift.** An offset that goes down is taken at once (a faster packet is
  proof); one that goes up (every frame in a 2 s window later than expected:
  the sender's clock runs slow, or the path got slower) is followed at no more
  than ``max_slew`` seconds per second, so a burst of congestion barely moves it.
* **Jumps.** If the RTP timestamps jump (a sender restarting its encoder, a
  timestamp discontinuity the node could not unwrap), observations suddenly
  disagree with the offset by more than ``jump`` seconds. A single late frame
  does that too, so frames are held until ``jump_confirm`` consecutive
  observations agree with each other; then the track is re-anchored on them.
  Frames that straddle a gap (RTP advancing with the wall clock) are not a jump.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

__all__ = ["TimelineSettings", "TrackTimeline"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TimelineSettings:
    """How one track's timeline follows drift and jumps."""

    window: float = 2.0
    """Seconds of arrivals over which the lowest offset is taken before slewing up."""
    max_slew: float = 0.0005
    """Largest upward correction of the offset per second (500 ppm; clocks drift < 100 ppm)."""
    jump: float = 0.5
    """An observation this far (seconds) from the offset may be a timestamp jump."""
    jump_confirm: int = 8
    """Consecutive agreeing observations that confirm a jump."""
    jump_agree: float = 0.06
    """How close (seconds) those observations must be to each other."""


class _Verdict(Enum):
    OK = "ok"
    HOLD = "hold"  # far from the offset: maybe a jump, maybe a late frame
    LATE = "late"  # held observations disagree: the oldest held frame was late
    JUMP = "jump"  # held observations agree: the timestamps jumped


@dataclass(slots=True)
class _Pending(Generic[T]):
    rtp: int
    arrival: float
    item: T


class TrackTimeline(Generic[T]):
    """Maps one track's RTP timestamps to wall-clock seconds; items come out mapped, in order."""

    def __init__(
        self, clock_rate: int, *, release_lag: int, settings: TimelineSettings | None = None
    ) -> None:
        self.clock_rate = clock_rate
        self.release_lag = max(0, release_lag)
        self.settings = settings or TimelineSettings()
        self._base_rtp: int | None = None
        self._offset: float | None = None
        self._pending: deque[_Pending[T]] = deque()
        self._window_start = 0.0
        self._window_min = float("inf")
        self._suspects: list[float] = []
        self.jumps = 0
        """How many times the track was re-anchored after a timestamp jump."""

    @property
    def offset(self) -> float | None:
        """Wall-clock time of the track's first RTP timestamp, once known."""
        return self._offset

    def wall(self, rtp: int) -> float:
        """Wall-clock time of RTP timestamp `rtp` (the track must have been anchored)."""
        assert self._offset is not None and self._base_rtp is not None
        return self._offset + (rtp - self._base_rtp) / self.clock_rate

    def push(self, rtp: int, arrival: float, item: T) -> list[tuple[T, float]]:
        """Add a frame; return the frames whose wall time is now known, oldest first."""
        if self._base_rtp is None:
            self._base_rtp = rtp
        pending = self._pending
        pending.append(_Pending(rtp, arrival, item))
        out: list[tuple[T, float]] = []
        # Frames pending[0:held] are held as a possible jump; frame k is next to observe.
        while len(pending) > self.release_lag + len(self._suspects):
            k = len(self._suspects)
            frame = pending[k]
            # Frame k was handed over when frame k + release_lag arrived.
            observed = frame.arrival - self._media(pending[k + self.release_lag].rtp)
            verdict = self._observe(observed, frame.arrival)
            if verdict is _Verdict.HOLD:
                continue
            if verdict is _Verdict.LATE:  # the oldest held frame was only late
                self._suspects.pop(0)
                out.append(self._release())
            elif verdict is _Verdict.JUMP:
                new_offset = min(self._suspects)
                for _ in range(self._jump_boundary(len(self._suspects) + self.release_lag)):
                    out.append(self._release())  # frames before the jump keep the old offset
                self._offset = new_offset
                self._window_start, self._window_min = frame.arrival, new_offset
                self._suspects.clear()
                self.jumps += 1
            else:
                for _ in range(k + 1):
                    out.append(self._release())
        return out

    def drain(self) -> list[tuple[T, float]]:
        """Every frame still held (track ending, recording pausing), mapped as best known."""
        if self._offset is None and self._pending:
            first = self._pending[0]
            self._offset = first.arrival - self._media(first.rtp)
            self._window_start = first.arrival
        self._suspects.clear()
        out = [self._release() for _ in range(len(self._pending))]
        return out

    def _media(self, rtp: int) -> float:
        assert self._base_rtp is not None
        return (rtp - self._base_rtp) / self.clock_rate

    def _release(self) -> tuple[T, float]:
        frame = self._pending.popleft()
        return frame.item, self.wall(frame.rtp)

    def _jump_boundary(self, last: int) -> int:
        """Index of the first frame after the jump: where RTP and arrival spacing disagree most."""
        pending = self._pending
        best, boundary = -1.0, 1
        for i in range(1, min(last + 1, len(pending))):
            gap = (pending[i].rtp - pending[i - 1].rtp) / self.clock_rate
            deviation = abs(gap - (pending[i].arrival - pending[i - 1].arrival))
            if deviation > best:
                best, boundary = deviation, i
        return boundary

    def _observe(self, observed: float, arrival: float) -> _Verdict:
        """Take one observed offset (arrival minus media time) into the estimate."""
        s = self.settings
        if self._offset is None:
            self._offset = observed
            self._window_start, self._window_min = arrival, observed
            return _Verdict.OK
        if abs(observed - self._offset) > s.jump:
            self._suspects.append(observed)
            if len(self._suspects) < s.jump_confirm:
                return _Verdict.HOLD
            if max(self._suspects) - min(self._suspects) > s.jump_agree:
                return _Verdict.LATE
            return _Verdict.JUMP
        self._suspects.clear()
        self._offset = min(self._offset, observed)
        self._window_min = min(self._window_min, observed)
        elapsed = arrival - self._window_start
        if elapsed >= s.window:
            if self._window_min > self._offset:
                self._offset += min(self._window_min - self._offset, s.max_slew * elapsed)
            self._window_start, self._window_min = arrival, float("inf")
        return _Verdict.OK
