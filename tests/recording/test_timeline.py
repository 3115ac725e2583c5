"""Placing frames on the wall clock from RTP timestamps and arrivals: lag, jitter, drift, jumps."""

from __future__ import annotations

import random

import pytest

from recording.timeline import TrackTimeline

RATE = 48000
STEP = 960  # 20 ms
T0 = 1_000.0


def feed(
    timeline: TrackTimeline[int],
    sent: list[float],
    rtp: list[int],
    delay: float = 0.03,
    jitter: float = 0.0,
    seed: int = 1,
) -> dict[int, float]:
    """Deliver frames sent at `sent` (wall) with timestamps `rtp` as aiortc would; the
    wall time the timeline gives each frame, by index."""
    rng = random.Random(seed)
    arrivals: list[float] = []
    for t in sent:
        arrivals.append(max(arrivals[-1] if arrivals else 0.0, t + delay + rng.uniform(0, jitter)))
    lag = timeline.release_lag
    mapped: dict[int, float] = {}
    for n, r in enumerate(rtp):
        released = arrivals[min(n + lag, len(arrivals) - 1)]
        mapped.update(timeline.push(r, released, n))
    mapped.update(timeline.drain())
    return mapped


def test_release_lag_is_cancelled_exactly() -> None:
    # Without pairing each arrival with the timestamp `lag` frames later, audio held for
    # four frames (aiortc's own buffer) would be placed 80 ms late; video (lag 1 at
    # 30 fps) 33 ms late.
    for rate, step, lag in ((48000, 960, 4), (90000, 3000, 1)):
        timeline: TrackTimeline[int] = TrackTimeline(rate, release_lag=lag)
        sent = [T0 + n * step / rate for n in range(300)]
        mapped = feed(timeline, sent, [7_000 + n * step for n in range(300)], delay=0.03)
        assert [mapped[n] - sent[n] for n in range(300)] == pytest.approx([0.03] * 300, abs=1e-6)


def test_jitter_does_not_move_frames() -> None:
    timeline: TrackTimeline[int] = TrackTimeline(RATE, release_lag=4)
    sent = [T0 + n * 0.02 for n in range(1000)]
    mapped = feed(timeline, sent, [n * STEP for n in range(1000)], delay=0.03, jitter=0.08)
    errors = [mapped[n] - sent[n] - 0.03 for n in range(1000)]
    assert max(errors) < 0.08  # never later than the jitter
    assert max(errors[50:]) < 0.005  # soon, the least-delayed frames set the offset
    assert min(errors) > -0.001  # never before it was sent
    gaps = [mapped[n + 1] - mapped[n] for n in range(50, 999)]
    assert gaps == pytest.approx([0.02] * len(gaps), abs=0.003)  # spacing from RTP, not arrival


def test_clock_drift_is_followed() -> None:
    # The sender's audio clock runs 100 ppm slow for 10 minutes: 60 ms by the end.
    timeline: TrackTimeline[int] = TrackTimeline(RATE, release_lag=4)
    n = 30_000
    sent = [T0 + i * 0.02 * (1 + 1e-4) for i in range(n)]
    mapped = feed(timeline, sent, [i * STEP for i in range(n)], jitter=0.02)
    assert max(abs(mapped[i] - sent[i] - 0.03) for i in range(0, n, 10)) < 0.015


def test_a_timestamp_jump_reanchors_the_track() -> None:
    timeline: TrackTimeline[int] = TrackTimeline(RATE, release_lag=4)
    sent = [T0 + i * 0.02 for i in range(600)]
    # The sender restarts its encoder at frame 300 with an unrelated timestamp.
    rtp = [i * STEP if i < 300 else 123_456_789 + (i - 300) * STEP for i in range(600)]
    mapped = feed(timeline, sent, rtp, jitter=0.01)
    assert timeline.jumps == 1
    assert max(abs(mapped[i] - sent[i] - 0.03) for i in range(600)) < 0.012
    backwards: TrackTimeline[int] = TrackTimeline(RATE, release_lag=4)
    rtp = [10**9 + i * STEP if i < 300 else (i - 300) * STEP for i in range(600)]
    mapped = feed(backwards, sent, rtp, jitter=0.01)
    assert backwards.jumps == 1
    assert max(abs(mapped[i] - sent[i] - 0.03) for i in range(600)) < 0.012


def test_a_burst_after_a_network_stall_is_not_a_jump() -> None:
    timeline: TrackTimeline[int] = TrackTimeline(RATE, release_lag=4)
    sent = [T0 + i * 0.02 for i in range(600)]
    mapped: dict[int, float] = {}
    for i in range(600):
        # For one second nothing arrives; then it all arrives at once.
        arrival = sent[min(i + 4, 599)] + 0.03
        if 300 <= i + 4 < 350:
            arrival = sent[350] + 0.03
        mapped.update(timeline.push(i * STEP, arrival, i))
    mapped.update(timeline.drain())
    assert timeline.jumps == 0
    assert max(abs(mapped[i] - sent[i] - 0.03) for i in range(600)) < 0.001


def test_a_gap_in_sending_keeps_the_timeline() -> None:
    # Sending pauses for 5 s (RTP advancing with the clock): a gap, not a jump.
    timeline: TrackTimeline[int] = TrackTimeline(RATE, release_lag=4)
    sent = [T0 + i * 0.02 + (5.0 if i >= 200 else 0.0) for i in range(400)]
    mapped = feed(timeline, sent, [round((s - T0) * RATE) for s in sent])
    assert timeline.jumps == 0
    assert max(abs(mapped[i] - sent[i] - 0.03) for i in range(400)) < 1e-6
