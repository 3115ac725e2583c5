"""The offline reference: Vosk decoding a whole audio file directly, no gate, no streaming.

What the live pipeline produces for a file's packets is judged against this (word
error rate): the pipeline must not damage what the model can do. The file is fed from
its first sample in the same chunks the pipeline uses (`Chunking`), endpoints give
results as they come and the end of the file finalizes the last one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .audio import BYTES_PER_SAMPLE, SAMPLE_RATE, file_pcm
from .recognition import Chunking, Recognized, Recognizer, SpeechModel

__all__ = ["OfflineTranscript", "transcribe_file", "transcribe_pcm", "word_error_rate"]


@dataclass(frozen=True, slots=True)
class OfflineTranscript:
    """Vosk's final results for a whole recording."""

    results: tuple[Recognized, ...]
    audio_seconds: float
    first_partial: float | None = None  # seconds of audio fed when words first showed

    @property
    def text(self) -> str:
        return " ".join(r.text for r in self.results)


def transcribe_pcm(model: SpeechModel, pcm: bytes) -> OfflineTranscript:
    """Decode 16 kHz mono 16-bit PCM with a new recognizer (blocking)."""
    recognizer = Recognizer(model)
    chunking = Chunking()
    results: list[Recognized] = []
    first_partial: float | None = None
    offset = 0
    while len(pcm) - offset >= chunking.size:
        end = offset + chunking.size
        decoded = recognizer.accept(pcm[offset:end])
        chunking.follow(decoded)
        offset = end
        results.extend(decoded.finals)
        if first_partial is None and (decoded.partial or decoded.finals):
            first_partial = offset / (BYTES_PER_SAMPLE * SAMPLE_RATE)
    results.extend(recognizer.accept(pcm[offset:], final=True).finals)
    seconds = len(pcm) / (BYTES_PER_SAMPLE * SAMPLE_RATE)
    return OfflineTranscript(tuple(results), seconds, first_partial)


def transcribe_file(model: SpeechModel, path: Path) -> OfflineTranscript:
    """Decode an audio file (WAV, Ogg/WebM Opus ...) directly (blocking)."""
    return transcribe_pcm(model, file_pcm(path))


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / words in `reference`, on whitespace words."""
    ref, hyp = reference.split(), hypothesis.split()
    if not ref:
        return 0.0 if not hyp else 1.0
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        diagonal, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (r != h))
    return row[-1] / len(ref)
