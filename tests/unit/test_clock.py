"""The hearing clock counts time in session only."""

from __future__ import annotations

import pytest

from hearing.clock import HearingClock


def test_counts_sittings_and_stands_still_in_recess() -> None:
    clock = HearingClock().started(100.0)
    assert clock.running and clock.at(90.0) == 0.0 and clock.at(130.0) == 30.0
    clock = clock.stopped(160.0)  # recess after 60 s
    assert not clock.running and clock.at(200.0) == 60.0 and not clock.in_session(200.0)
    clock = clock.started(300.0)  # resumed
    assert clock.at(310.0) == 70.0 and clock.in_session(310.0)
    assert clock.at(160.0) == 60.0 and clock.at(299.0) == 60.0


def test_refuses_impossible_changes() -> None:
    with pytest.raises(ValueError, match="not running"):
        HearingClock().stopped(1.0)
    with pytest.raises(ValueError, match="already running"):
        HearingClock().started(1.0).started(2.0)
    with pytest.raises(ValueError, match="back in time"):
        HearingClock().started(10.0).stopped(20.0).started(15.0)
