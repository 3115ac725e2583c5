"""Time on a track: RTP timestamps to stream time, stream time to wall-clock time, and
the recognizer's sample offsets back to stream time.

The recognizer only hears the speech the gate lets through, so its clock skips every
silence; `SampleMap` remembers where each stretch it heard sits on the stream, and
`StreamClock` where the stream sits in wall-clock time. Together with the hearing
clock they put every word on the hearing's timeline.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from fractions import Fraction

from .audio import OPUS_TIME_BASE, SAMPLE_RATE

__all__ = ["SampleMap", "StreamClock"]

_WRAP = 1 << 32  # RTP timestamps are 32-bit and start anywhere
# A backwards step shorter than this is a late or repeated packet; longer, a restart.
_REORDER = 1.0
# A forward step this much longer than the time between arrivals is a restart too.
_JUMP = 5.0
# How fast the transit-time estimate may creep up to follow the sender's clock drift.
_DRIFT = 1e-4


class StreamClock:
    """Places a track's packets on its own timeline: seconds since its first packet.

    The stream-to-wall offset is the smallest transit time seen (a packet is never
    early, only late), allowed to creep up slowly so that clock drift is followed.
    """

    def __init__(self) -> None:
        self._last_pts: int | None = None
        self._ticks = 0  # stream time in time-base units, exact
        self._unit = float(OPUS_TIME_BASE)
        self._last_arrival = 0.0
        self._offset = 0.0

    def place(self, pts: int, time_base: Fraction | None, arrival: float) -> float | None:
        """The stream time of a packet; None for a late or repeated one (to be dropped)."""
        if self._last_pts is None:
            # Plain ints and floats from here on: this runs for every packet of every track.
            self._unit = float(time_base or OPUS_TIME_BASE)
            self._last_pts, self._last_arrival, self._offset = pts, arrival, arrival
            return 0.0
        step = (pts - self._last_pts) % _WRAP
        if step >= _WRAP // 2:
            step -= _WRAP
        seconds = step * self._unit
        between = arrival - self._last_arrival
        if -_REORDER < seconds <= 0:
            return None
        if seconds <= -_REORDER or seconds > between + _JUMP:
            # The sender restarted its timestamps: carry on from the arrival times.
            step = round(max(between, 0.0) / self._unit)
            seconds = step * self._unit
            self._offset = arrival - (self._ticks + step) * self._unit
        self._ticks += step
        self._last_pts, self._last_arrival = pts, arrival
        now = self._ticks * self._unit
        self._offset = min(arrival - now, self._offset + seconds * _DRIFT)
        return now

    def wall(self, stream_time: float) -> float:
        """The wall-clock time (UNIX seconds) at which `stream_time` was captured and sent."""
        return stream_time + self._offset


@dataclass(slots=True)
class _Run:
    samples: int  # recognizer sample offset of the run's first sample
    time: float  # its stream time
    length: int


class SampleMap:
    """Recognizer sample offsets to stream time, for audio fed in runs with gaps between."""

    def __init__(self) -> None:
        self._runs: list[_Run] = []
        self._starts: list[int] = []
        self.fed = 0  # samples given to the recognizer so far

    def add(self, samples: int, stream_time: float) -> None:
        """Record that the next `samples` fed to the recognizer start at `stream_time`."""
        last = self._runs[-1] if self._runs else None
        if last is not None and abs(last.time + last.length / SAMPLE_RATE - stream_time) < 1e-3:
            last.length += samples
        else:
            self._runs.append(_Run(self.fed, stream_time, samples))
            self._starts.append(self.fed)
        self.fed += samples

    def stream_time(self, seconds: float) -> float:
        """The stream time of the recognizer's `seconds` (Vosk's word times)."""
        if not self._runs:
            return 0.0
        position = round(seconds * SAMPLE_RATE)
        run = self._runs[max(0, bisect_right(self._starts, position) - 1)]
        offset = min(max(position - run.samples, 0), run.length)
        return run.time + offset / SAMPLE_RATE

    def forget_before(self, seconds: float) -> None:
        """Drop runs wholly before the recognizer's `seconds` (their words are final)."""
        position = round(seconds * SAMPLE_RATE)
        keep = max(0, bisect_right(self._starts, position) - 1)
        if keep:
            del self._runs[:keep], self._starts[:keep]
