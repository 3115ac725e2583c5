"""Dither: the faint noise a Vosk model's features are computed with, made reproducible.

Kaldi adds Gaussian noise to every frame before computing features ("dither", one
16-bit step by default), so that digital silence (runs of exact zeros, between words
of synthesized speech or from a muted browser) does not give the model features it
never saw in training. Kaldi draws that noise from the process-wide `rand()`, so the
same audio reads differently depending on what the process decoded before: a word or
two in a sentence, on speech near the model's limits. A transcript a court relies on
should come out the same when its recordings are decoded again, so the models are
loaded with Kaldi's dither off (`models.decoding_options`) and each recognizer adds
noise of the same amplitude itself: the n-th sample it is fed always gets the same.
"""

from __future__ import annotations

import array
import functools
import operator
import random

__all__ = ["KALDI_DEFAULT_DITHER", "Dither"]

KALDI_DEFAULT_DITHER = 1.0  # Kaldi's --dither when a model's feature options leave it unset
_NOISE_SAMPLES = 1 << 18  # 16 s at 16 kHz before the noise repeats
_SEED = 20211  # any fixed seed: what matters is that it is the same in every run
_LOW, _HIGH = -32768, 32767


@functools.cache
def _noise(amplitude: float) -> array.array[int]:
    """The noise, in whole 16-bit steps (made once per amplitude, in a tenth of a second)."""
    draw = random.Random(_SEED).gauss
    return array.array("h", (round(amplitude * draw(0.0, 1.0)) for _ in range(_NOISE_SAMPLES)))


class Dither:
    """Noise of `amplitude` (16-bit steps) added to the audio fed to one recognizer."""

    def __init__(self, amplitude: float) -> None:
        self.amplitude = amplitude
        self._fed = 0  # samples dithered so far: where in the noise the next one is

    def apply(self, pcm: bytes) -> bytes:
        """`pcm` (16-bit mono, native order) with the noise for its place in the stream."""
        if not self.amplitude or not pcm:
            return pcm
        samples = array.array("h", pcm)
        noise = self._next(_noise(self.amplitude), len(samples))
        try:
            return array.array("h", map(operator.add, samples, noise)).tobytes()
        except OverflowError:  # a sample at full scale: clip it, as a sound card would
            return array.array("h", map(_clipped_sum, samples, noise)).tobytes()

    def _next(self, noise: array.array[int], count: int) -> array.array[int]:
        start = self._fed % _NOISE_SAMPLES
        self._fed += count
        taken = noise[start : start + count]
        while len(taken) < count:  # past the end of the table: it starts again
            taken += noise[: count - len(taken)]
        return taken


def _clipped_sum(sample: int, noise: int) -> int:
    return min(_HIGH, max(_LOW, sample + noise))
