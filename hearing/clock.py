"""The hearing clock: seconds of time in session, the timeline every record is placed on.

It starts at 0 when the hearing first goes in session, stands still during a recess and
runs again on resumption, so "00:12:30" means the same moment in the transcript, in
every recording and in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HearingClock"]


@dataclass(frozen=True, slots=True)
class HearingClock:
    """Intervals of wall-clock time (UNIX seconds) during which the hearing was in session."""

    sittings: tuple[tuple[float, float | None], ...] = ()

    @property
    def running(self) -> bool:
        return bool(self.sittings) and self.sittings[-1][1] is None

    def started(self, wall: float) -> HearingClock:
        """The clock after the hearing goes (back) in session at `wall`."""
        if self.running:
            raise ValueError("the hearing clock is already running")
        if self.sittings and wall < (self.sittings[-1][1] or 0.0):
            raise ValueError("the hearing clock cannot go back in time")
        return HearingClock((*self.sittings, (wall, None)))

    def stopped(self, wall: float) -> HearingClock:
        """The clock after a recess or adjournment at `wall`."""
        if not self.running:
            raise ValueError("the hearing clock is not running")
        begin = self.sittings[-1][0]
        if wall < begin:
            raise ValueError("the hearing clock cannot go back in time")
        return HearingClock((*self.sittings[:-1], (begin, wall)))

    def at(self, wall: float) -> float:
        """Seconds in session at wall-clock time `wall` (0 before the first sitting)."""
        total = 0.0
        for begin, end in self.sittings:
            if wall <= begin:
                break
            total += (min(wall, end) if end is not None else wall) - begin
        return total

    def in_session(self, wall: float) -> bool:
        return any(begin <= wall and (end is None or wall < end) for begin, end in self.sittings)
