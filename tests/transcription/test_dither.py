"""The recognizers' dither: the same noise for the same place in a stream, however it is cut."""

from __future__ import annotations

import array
import statistics

from transcription.dither import Dither


def pcm(*samples: int) -> bytes:
    return array.array("h", samples).tobytes()


def test_the_noise_depends_only_on_where_in_the_stream_a_sample_is() -> None:
    audio = array.array("h", range(-4000, 4000)).tobytes()
    whole = Dither(1.0).apply(audio)
    cut = Dither(1.0)
    pieces = [cut.apply(audio[i : i + 320]) for i in range(0, len(audio), 320)]
    assert b"".join(pieces) == whole != audio
    assert Dither(1.0).apply(audio) == whole  # another recognizer, the same noise


def test_silence_becomes_faint_noise_of_the_models_amplitude() -> None:
    silence = bytes(2 * 64_000)
    for amplitude in (1.0, 2.0):
        noise = array.array("h", Dither(amplitude).apply(silence))
        assert abs(statistics.fmean(noise)) < 0.05
        assert abs(statistics.pstdev(noise) - amplitude) < 0.1 * amplitude
        assert noise.count(0) < len(noise) / 2


def test_no_amplitude_leaves_the_audio_as_it_is() -> None:
    audio = pcm(0, 0, 5, -5)
    assert Dither(0.0).apply(audio) == audio
    assert Dither(1.0).apply(b"") == b""


def test_full_scale_samples_are_clipped_not_wrapped() -> None:
    loud = pcm(*([32767, -32768] * 500))
    dithered = array.array("h", Dither(3.0).apply(loud))
    assert all(v > 32000 for v in dithered[::2]) and all(v < -32000 for v in dithered[1::2])
    assert dithered != array.array("h", loud)  # the noise is still there where it fits


def test_the_noise_runs_on_past_the_end_of_its_table() -> None:
    dither = Dither(1.0)
    long = bytes(2 * (1 << 18) + 2 * 1000)
    first = dither.apply(long)
    assert first[2 * (1 << 18) :] == first[: 2 * 1000]  # it starts again
    assert len(first) == len(long)
