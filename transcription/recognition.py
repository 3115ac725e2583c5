"""The calls into Vosk, shared by the live pipeline and the offline reference decoder.

They block for as long as the decoding takes (the C calls release the GIL): run them in
a thread pool, never on the event loop.

A new recognizer is slow at first: its decoding graph is composed on the fly and cached
as it goes, and the first fraction of a second it decodes costs most of a second of CPU.
Every recognizer is therefore warmed up on a little silence when it is made, and
`RecognizerPool` keeps one warm recognizer in hand so a participant who starts to speak
does not wait for that.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import vosk

from hearing.tasks import TaskSet

from .audio import BYTES_PER_SAMPLE, SAMPLE_RATE
from .dither import Dither

__all__ = [
    "CHUNK_BYTES",
    "FIRST_WORDS_CHUNK_BYTES",
    "Chunking",
    "Decoded",
    "Recognized",
    "RecognizedWord",
    "Recognizer",
    "RecognizerPool",
    "SpeechModel",
]

# Audio is fed in chunks counted from the start of each utterance (see `Chunking`); the
# offline reference feeds a file the same way, so both decode alike.
CHUNK_SECONDS = 0.1
CHUNK_BYTES = int(CHUNK_SECONDS * SAMPLE_RATE) * BYTES_PER_SAMPLE
FIRST_WORDS_CHUNK_SECONDS = 0.02  # one frame
FIRST_WORDS_CHUNK_BYTES = int(FIRST_WORDS_CHUNK_SECONDS * SAMPLE_RATE) * BYTES_PER_SAMPLE
WARM_UP_SECONDS = 0.3


@dataclass(frozen=True, slots=True)
class SpeechModel:
    """A loaded `vosk.Model` and the dither its recognizers add to their audio (`dither`)."""

    vosk: Any
    dither: float


@dataclass(frozen=True, slots=True)
class RecognizedWord:
    """A word as Vosk reports it: times in seconds of audio fed since the warm-up."""

    word: str
    start: float
    end: float
    conf: float


@dataclass(frozen=True, slots=True)
class Recognized:
    """One final result of a recognizer (an endpoint, or a forced finalization)."""

    text: str
    words: tuple[RecognizedWord, ...]


@dataclass(frozen=True, slots=True)
class Decoded:
    """What one call produced: final results with text, and the partial text after them."""

    finals: tuple[Recognized, ...]
    partial: str


class Chunking:
    """How much audio a recognizer is fed at a time: frame by frame until an utterance shows words.

    The model decodes in steps of its own (`models.DECODING_STEP_FRAMES`), and a partial
    result changes only when a step is done. Asked after every frame, the recognizer
    shows an utterance's first words (the live caption people wait for) as soon as the
    step that finds them is done, not up to a chunk later; once they show, larger chunks
    keep the calls (a thread hop and a partial result each) few.
    """

    def __init__(self) -> None:
        self.waiting_for_words = True

    @property
    def size(self) -> int:
        """Bytes of 16 kHz PCM to feed in the next call."""
        return FIRST_WORDS_CHUNK_BYTES if self.waiting_for_words else CHUNK_BYTES

    def follow(self, decoded: Decoded) -> None:
        """Take note of what a call produced: words, or a final that began a new utterance."""
        if decoded.finals or decoded.partial:
            self.waiting_for_words = not decoded.partial

    def restart(self) -> None:
        """A new utterance begins (the last one was finalized)."""
        self.waiting_for_words = True


class Recognizer:
    """A warmed-up `vosk.KaldiRecognizer` for 16 kHz audio, with word timings.

    Making one blocks for about a second. Use from one thread at a time.
    """

    def __init__(self, model: SpeechModel) -> None:
        self._vosk = vosk.KaldiRecognizer(model.vosk, SAMPLE_RATE)
        self._vosk.SetWords(True)
        self._dither = Dither(model.dither)
        self._feed(bytes(int(WARM_UP_SECONDS * SAMPLE_RATE) * BYTES_PER_SAMPLE))
        self._vosk.FinalResult()
        self._offset = WARM_UP_SECONDS  # Vosk's times count the warm-up too

    def accept(self, pcm: bytes, *, final: bool = False) -> Decoded:
        """Feed `pcm`; with `final`, finalize the utterance (blocking)."""
        finals: list[Recognized] = []
        if pcm and self._feed(pcm):
            finals.append(self._parse(self._vosk.Result()))
        if final:
            finals.append(self._parse(self._vosk.FinalResult()))
            partial = ""
        else:
            partial = _words(json.loads(self._vosk.PartialResult()).get("partial", ""))
        return Decoded(tuple(r for r in finals if r.text), partial)

    def _feed(self, pcm: bytes) -> bool:
        """Give Vosk `pcm`, dithered; True when it found the end of an utterance."""
        return bool(self._vosk.AcceptWaveform(self._dither.apply(pcm)))

    def _parse(self, raw: str) -> Recognized:
        data = json.loads(raw)
        words = tuple(
            RecognizedWord(
                str(w["word"]),
                float(w["start"]) - self._offset,
                float(w["end"]) - self._offset,
                float(w["conf"]),
            )
            for w in data.get("result", ())
        )
        return Recognized(_words(data.get("text", "")), words)


def _words(text: Any) -> str:
    return " ".join(str(text).split())


class RecognizerPool:
    """Warm recognizers of one model, made in the thread pool ahead of need."""

    def __init__(self, model: SpeechModel, executor: Executor, *, spare: int = 1) -> None:
        self.model = model
        self.executor = executor
        self._spare = spare
        self._ready: list[Recognizer] = []
        self._tasks = TaskSet("recognizers")
        self._warming = 0
        self._closed = False

    def prepare(self) -> None:
        """Start warming spares in the background (call from the event loop)."""
        while not self._closed and len(self._ready) + self._warming < self._spare:
            self._warming += 1
            self._tasks.spawn(self._warm(), name="warm-recognizer")

    async def _warm(self) -> None:
        try:
            recognizer = await self.make()
        finally:
            self._warming -= 1
        if not self._closed:
            self._ready.append(recognizer)

    async def make(self) -> Recognizer:
        """A new warm recognizer, made now in the thread pool."""
        return await asyncio.wrap_future(self.executor.submit(Recognizer, self.model))

    async def take(self) -> Recognizer:
        """A warm recognizer for a new speaker: a spare if one is ready, else a new one."""
        if self._closed:
            raise RuntimeError("the recognizer pool is closed")
        recognizer = self._ready.pop() if self._ready else await self.make()
        self.prepare()
        return recognizer

    async def aclose(self) -> None:
        """Stop warming and drop the spares (idempotent)."""
        self._closed = True
        await self._tasks.cancel_and_wait()
        self._ready.clear()
