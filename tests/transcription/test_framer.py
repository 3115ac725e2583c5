"""The framer keeps audio on its own timeline, gaps included."""

from __future__ import annotations

from transcription.audio import FRAME_BYTES, Framer


def test_frames_carry_on_from_the_audio_time() -> None:
    framer = Framer()
    frames = list(framer.push(b"\1" * (FRAME_BYTES + 100), 10.0))
    assert [t for _, t in frames] == [10.0]
    more = list(framer.push(b"\2" * (FRAME_BYTES - 100), framer.next_time))
    assert [t for _, t in more] == [10.02]  # contiguous audio is framed across pushes
    assert more[0][0] == b"\1" * 100 + b"\2" * (FRAME_BYTES - 100)


def test_a_gap_in_the_audio_is_not_closed_up() -> None:
    framer = Framer()
    list(framer.push(b"\1" * (FRAME_BYTES + 100), 10.0))
    # Nothing arrived for four seconds (the participant was muted).
    frames = list(framer.push(b"\2" * FRAME_BYTES, 14.0))
    times = [t for _, t in frames]
    assert times == [10.02, 14.0]
    leftover, after = frames[0][0], frames[1][0]
    assert leftover == b"\1" * 100 + b"\0" * (FRAME_BYTES - 100)  # padded, not lost
    assert after == b"\2" * FRAME_BYTES
    assert framer.next_time == 14.02


def test_the_resampler_delay_is_no_gap() -> None:
    framer = Framer()
    list(framer.push(b"\1" * (FRAME_BYTES - 32), 0.0))  # the first packet lacks 16 samples
    frames = list(framer.push(b"\1" * FRAME_BYTES, 0.02))
    assert [t for _, t in frames] == [0.0]
