"""Placing packets and recognizer samples in time (no model needed)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from transcription.timeline import SampleMap, StreamClock

TB = Fraction(1, 48000)


def test_stream_time_follows_rtp_timestamps_across_the_wrap() -> None:
    clock = StreamClock()
    first = (1 << 32) - 960
    assert clock.place(first, TB, 1000.0) == 0.0
    assert clock.place(0, TB, 1000.02) == pytest.approx(0.02)  # wrapped
    assert clock.place(960, TB, 1000.04) == pytest.approx(0.04)
    assert clock.wall(0.04) == pytest.approx(1000.04)


def test_late_and_repeated_packets_are_dropped() -> None:
    clock = StreamClock()
    clock.place(96_000, TB, 10.0)
    clock.place(96_960, TB, 10.02)
    assert clock.place(96_960, TB, 10.03) is None  # repeated
    assert clock.place(96_000, TB, 10.05) is None  # late
    assert clock.place(97_920, TB, 10.06) == pytest.approx(0.04)


def test_transit_time_is_the_smallest_seen() -> None:
    clock = StreamClock()
    clock.place(0, TB, 100.30)  # the first packet was held up 300 ms
    for i in range(1, 50):
        clock.place(i * 960, TB, 100.0 + i * 0.02 + (0.05 if i % 2 else 0.0))
    assert clock.wall(0.0) == pytest.approx(100.0, abs=0.002)


def test_a_restarted_sender_continues_from_arrival_times() -> None:
    clock = StreamClock()
    clock.place(5_000_000, TB, 50.0)
    clock.place(5_000_960, TB, 50.02)
    assert clock.place(123, TB, 51.02) == pytest.approx(1.02)  # timestamps reset
    assert clock.wall(1.02) == pytest.approx(51.02)
    assert clock.place(1083, TB, 51.04) == pytest.approx(1.04)


def test_a_silence_gap_keeps_its_length() -> None:
    clock = StreamClock()
    clock.place(0, TB, 7.0)
    assert clock.place(48_000 * 3, TB, 10.0) == pytest.approx(3.0)  # DTX: nothing sent


def test_recognizer_time_maps_through_the_gaps_it_never_heard() -> None:
    samples = SampleMap()
    samples.add(16_000, 0.5)  # 1 s of speech from stream time 0.5
    samples.add(8_000, 1.5)  # contiguous: same run
    samples.add(16_000, 9.0)  # after 7 s of silence the gate dropped
    assert samples.fed == 40_000
    assert samples.stream_time(0.0) == pytest.approx(0.5)
    assert samples.stream_time(1.25) == pytest.approx(1.75)
    assert samples.stream_time(1.5) == pytest.approx(9.0)
    assert samples.stream_time(2.0) == pytest.approx(9.5)
    assert samples.stream_time(9.9) == pytest.approx(10.0)  # clamped to what was heard
    samples.forget_before(2.0)
    assert samples.stream_time(2.0) == pytest.approx(9.5)
