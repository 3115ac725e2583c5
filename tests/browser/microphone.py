"""Speech for browser speakers: the file a fake microphone plays, and what the server heard.

Chromium plays its fake microphone's file over and over from the moment a page takes the
microphone. A speaker's file is espeak-ng's sentence after a few seconds of silence (time
to press Join before she speaks) and then silence up to a period long enough that she
says it only once in a test.
"""

from __future__ import annotations

import array
import asyncio
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import av

from bench._transcription_speech import restamp, speak
from hearing.clock import HearingClock
from hearing.roles import Role
from transcription import (
    Final,
    RecognizerPool,
    Speaker,
    SpeechModel,
    TranscriptionPipeline,
    TranscriptLog,
)

__all__ = ["Microphone", "microphone", "replay_received"]

_SILENT = 64  # 16-bit sample values at or below this are silence


@dataclass(frozen=True, slots=True)
class Microphone:
    """A fake microphone's file and where in it the sentence sounds."""

    sentence: str
    spoken: Path  # espeak-ng's own file: the sentence alone
    wav: Path  # the file Chromium plays
    first: float  # seconds from the start of `wav` to the sentence's first sound...
    last: float  # ...and to its last


def microphone(
    sentence: str, folder: Path, name: str, *, lead: float = 5.0, period: float = 60.0
) -> Microphone:
    """Speak `sentence` into `folder`/`name`.wav: `lead` s of silence, it, silence to `period`."""
    spoken = speak(sentence, folder / f"{name}-spoken.wav")
    with wave.open(str(spoken), "rb") as src:
        params = src.getparams()
        pcm = src.readframes(params.nframes)
    assert (params.sampwidth, params.nchannels) == (2, 1), params
    rate = params.framerate
    before = round(lead * rate)
    after = round(period * rate) - before - params.nframes
    assert after > 0, "the period is shorter than the sentence"
    wav = folder / f"{name}.wav"
    with wave.open(str(wav), "wb") as dst:
        dst.setparams(params)
        dst.writeframes(bytes(2 * before) + pcm + bytes(2 * after))
    loud = [i for i, v in enumerate(array.array("h", pcm)) if abs(v) > _SILENT]
    return Microphone(sentence, spoken, wav, lead + loud[0] / rate, lead + (loud[-1] + 1) / rate)


async def replay_received(model: SpeechModel, recordings: list[Path], scratch: Path) -> str:
    """The text a fresh transcription pipeline makes of the audio in `recordings` (offline).

    The recorder writes every Opus packet as the server received it; replaying them in
    order through the same decoder, gate and recognizer feeding gives Vosk exactly the
    audio the live pipeline was given, cut into the same chunks.
    """
    payloads: list[bytes] = []
    for path in recordings:
        with av.open(str(path)) as container:
            payloads += [bytes(p) for p in container.demux(audio=0) if p.size]
    scratch.mkdir(parents=True, exist_ok=True)  # the replay's transcript log goes there
    start = 1_900_000_000.0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="replay") as executor:
        pool = RecognizerPool(model, executor, spare=0)
        pipeline = TranscriptionPipeline(
            recognizers=pool,
            hearing_id="replay",
            speaker=Speaker(participant_id="replay", name="replay", role=Role.PARTY),
            clock=HearingClock().started(start),
            transcript=TranscriptLog(scratch),
        )
        try:
            for packet, arrival in restamp(payloads, first_pts=0, start=start):
                pipeline.push(packet, arrival)
            pipeline.end()
            async with asyncio.timeout(120):
                texts = [e.segment.text async for e in pipeline if isinstance(e, Final)]
        finally:
            await pipeline.aclose()
            await pool.aclose()
    return " ".join(texts)
