"""Live transcription benchmark: fidelity, CPU and caption latency of the pipeline.

    python -m bench.transcription [--quick]

Korean turns spoken by espeak-ng and encoded as a browser would (Opus, 20 ms packets)
go through the transcription pipeline, in process for now: `run_track` takes any async
packet source, so the WebRTC path can later replace `paced`. Figures, each compared in
the same run with Vosk decoding the same files offline:

- model_rtf: CPU seconds of offline Vosk per second of audio;
- cpu_per_speech_second: CPU seconds of the pipeline per second of the same audio, fed
  as fast as it goes (target <= 1.2 x model_rtf);
- wer_vs_offline: the pipeline's text against offline Vosk on the same files (<= 0.02);
- cpu_per_silent_participant: cores added by each of 10 silent pipelines fed in real
  time, against the same packets fed to none (<= 0.005);
- final_caption_latency_p95_ms: end of a turn's speech to its last Final (<= 1500) and
  partial_caption_latency_p95_ms: start of its speech to its first Partial (<= 800), on
  one participant's track speaking every turn in real time, with pauses between.

The last line printed is one JSON object with those figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import tempfile
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import av

from bench._transcription_speech import (
    PACKET_SECONDS,
    SpeechFile,
    make_speech,
    opus_silence,
    paced,
    restamp,
    stamped,
)
from hearing.clock import HearingClock
from hearing.roles import Role
from transcription import (
    Final,
    ModelRegistry,
    OfflineTranscript,
    Partial,
    RecognizerPool,
    Speaker,
    TranscriptEvent,
    TranscriptionPipeline,
    TranscriptLog,
    transcribe_file,
    word_error_rate,
)

# What a court says. espeak-ng's Korean is rough and Vosk's reading of it is far from
# the text; what is measured is whether the pipeline reads it as Vosk does offline.
# Vosk is not deterministic on such audio: two offline decodings of one file in one
# process often differ (wer_offline_vs_offline measures it). These turns are ones it
# reads the same way every time, so that the comparison measures the pipeline.
TURNS = (
    "원고 측 변호인 발언하십시오.",
    "재판을 잠시 휴정하겠습니다.",
    "피고는 이 계약서에 서명했습니까?",
    "판결을 선고하겠습니다.",
    "증거를 제출하겠습니다.",
)
LEAD = 0.2  # seconds of silence before each turn's speech in its file
PAUSE = 1.5  # seconds of silence between turns on the latency track
SILENT_PARTICIPANTS = 10
FIRST_PTS = 4_294_000_000  # RTP timestamps start anywhere, here just before they wrap

PacketSource: TypeAlias = "AsyncIterator[tuple[av.Packet[Any], float]]"


@dataclass
class Track:
    """The events one pipeline produced, each with the wall time it was received."""

    events: list[tuple[float, TranscriptEvent]] = field(default_factory=list)

    @property
    def finals(self) -> list[tuple[float, Final]]:
        return [(t, e) for t, e in self.events if isinstance(e, Final)]

    @property
    def partials(self) -> list[tuple[float, Partial]]:
        return [(t, e) for t, e in self.events if isinstance(e, Partial)]

    @property
    def text(self) -> str:
        return " ".join(e.segment.text for _, e in self.finals)


async def run_track(source: PacketSource, pipeline: TranscriptionPipeline) -> Track:
    """Push every (packet, arrival) of `source` into `pipeline` until the source ends."""
    track = Track()

    async def listen() -> None:
        async for event in pipeline:
            track.events.append((time.time(), event))

    listener = asyncio.get_running_loop().create_task(listen())
    try:
        async for packet, arrival in source:
            pipeline.push(packet, arrival)
        pipeline.end()
        await listener
    finally:
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)
        await pipeline.aclose()
    return track


async def unpaced(packets: Iterable[tuple[av.Packet[Any], float]]) -> PacketSource:
    """Every packet at once, stamped with the arrival time it would have had."""
    for item in packets:
        yield item


def make_pipeline(
    pool: RecognizerPool, folder: Path, who: str, clock: HearingClock
) -> TranscriptionPipeline:
    return TranscriptionPipeline(
        recognizers=pool,
        hearing_id="bench",
        speaker=Speaker(participant_id=who, name=who, role=Role.WITNESS),
        clock=clock,
        transcript=TranscriptLog(folder),
    )


@dataclass(frozen=True)
class Fidelity:
    model_rtf: float
    cpu_per_speech_second: float
    wer_vs_offline: float
    wer_offline_vs_offline: float  # the noise floor: Vosk against itself
    wer_vs_wav: float | None  # against the WAV before Opus coding (full run only)
    partial_floor: float  # p95 of how much speech offline Vosk needs before its first words


async def fidelity(
    pool: RecognizerPool, folder: Path, turns: list[SpeechFile], *, full: bool
) -> Fidelity:
    """The pipeline against offline Vosk on the same files, text and CPU."""
    audio = sum(t.seconds for t in turns)

    async def offline(files: list[Path]) -> list[OfflineTranscript]:
        return [await asyncio.to_thread(transcribe_file, pool.model, f) for f in files]

    cpu = time.process_time()
    decoded = await offline([t.ogg for t in turns])
    model_rtf = (time.process_time() - cpu) / audio
    reference = [d.text for d in decoded]
    floor = [
        d.first_partial - t.lead for d, t in zip(decoded, turns, strict=True) if d.first_partial
    ]
    texts: list[str] = []
    cpu = time.process_time()
    for i, turn in enumerate(turns):
        start = time.time()
        pipeline = make_pipeline(pool, folder, f"turn-{i}", HearingClock().started(start))
        packets = restamp(turn.packets, first_pts=FIRST_PTS, start=start)
        texts.append((await run_track(unpaced(packets), pipeline)).text)
    cpu_per_speech_second = (time.process_time() - cpu) / audio
    for turn, expected, text in zip(turns, reference, texts, strict=True):
        print(f"turn {turn.text}\n  offline  {expected}\n  pipeline {text}")
    again = " ".join(d.text for d in await offline([t.ogg for t in turns]))
    before = " ".join(d.text for d in await offline([t.wav for t in turns])) if full else None
    hypothesis = " ".join(texts)
    return Fidelity(
        model_rtf,
        cpu_per_speech_second,
        word_error_rate(" ".join(reference), hypothesis),
        word_error_rate(" ".join(reference), again),
        None if before is None else word_error_rate(before, hypothesis),
        p95(floor),
    )


async def latency(
    pool: RecognizerPool, folder: Path, turns: list[SpeechFile]
) -> tuple[list[float], list[float]]:
    """Caption latencies (seconds) per turn, one track speaking all turns in real time."""
    pause = opus_silence(round(PAUSE / PACKET_SECONDS))
    payloads: list[bytes] = []
    offsets: list[float] = []  # where each turn's file starts on the track
    for turn in turns:
        offsets.append(len(payloads) * PACKET_SECONDS)
        payloads += [*turn.packets, *pause]
    start = time.time() + 0.2
    clock = HearingClock().started(start)  # hearing time = seconds since the track began
    pipeline = make_pipeline(pool, folder, "witness", clock)
    track = await run_track(paced(restamp(payloads, first_pts=FIRST_PTS, start=start)), pipeline)
    finals, partials = [], []
    for k, turn in enumerate(turns):
        begin, end = offsets[k], offsets[k + 1] if k + 1 < len(turns) else math.inf
        mine = [(t, e) for t, e in track.finals if begin <= e.segment.start < end]
        if mine:
            finals.append(mine[-1][0] - (start + begin + turn.speech_end))
        first = [t for t, e in track.partials if begin <= e.at < end]
        if first:
            partials.append(first[0] - (start + begin + turn.lead))
    print("final latencies (ms):", [round(x * 1000) for x in finals])
    print("partial latencies (ms):", [round(x * 1000) for x in partials])
    return finals, partials


async def silent_cost(pool: RecognizerPool, folder: Path, seconds: float) -> float:
    """Cores each silent pipeline adds: the same real-time packets pushed to 10 or to none."""
    packets = opus_silence(50)

    async def run(count: int) -> float:
        clock = HearingClock().started(time.time())
        pipelines = [make_pipeline(pool, folder, f"silent-{i}", clock) for i in range(count)]
        ticks = round(seconds / PACKET_SECONDS)
        start = time.time() + 0.05
        cpu = time.process_time()
        for tick in range(ticks):
            delay = start + tick * PACKET_SECONDS - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            now = time.time()
            for i in range(SILENT_PARTICIPANTS):
                packet = stamped(packets[tick % len(packets)], FIRST_PTS + tick * 960)
                if i < count:
                    pipelines[i].push(packet, now)
        cores = (time.process_time() - cpu) / (time.time() - start)
        for pipeline in pipelines:
            await pipeline.aclose()
        return cores

    baseline = await run(0)
    loaded = await run(SILENT_PARTICIPANTS)
    print(
        f"silent: {loaded:.4f} cores with {SILENT_PARTICIPANTS} pipelines, {baseline:.4f} with none"
    )
    return max(0.0, (loaded - baseline) / SILENT_PARTICIPANTS)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


async def bench(quick: bool, folder: Path) -> dict[str, Any]:
    chosen = TURNS[:3] if quick else TURNS
    turns = [make_speech(text, folder, f"turn{i}", lead=LEAD) for i, text in enumerate(chosen)]
    registry = ModelRegistry()
    try:
        began = time.perf_counter()
        pool = await registry.recognizers("ko")
        print(f"model loaded in {time.perf_counter() - began:.1f} s")
        fid = await fidelity(pool, folder, turns[:2] if quick else turns, full=not quick)
        print(f"model_rtf {fid.model_rtf:.3f}, pipeline {fid.cpu_per_speech_second:.3f}")
        finals, partials = await latency(pool, folder, turns if quick else turns * 2)
        silent = await silent_cost(pool, folder, 5.0 if quick else 30.0)
    finally:
        await registry.aclose()
    return {
        "mode": "in-process",
        "quick": quick,
        "turns": len(turns[:2] if quick else turns),
        "latency_turns": len(finals),
        "model_rtf": round(fid.model_rtf, 3),
        "cpu_per_speech_second": round(fid.cpu_per_speech_second, 3),
        "cpu_ratio_to_model": round(fid.cpu_per_speech_second / fid.model_rtf, 3),
        "cpu_per_silent_participant": round(silent, 5),
        "wer_vs_offline": round(fid.wer_vs_offline, 4),
        "wer_offline_vs_offline": round(fid.wer_offline_vs_offline, 4),
        "wer_vs_wav_before_opus": None if fid.wer_vs_wav is None else round(fid.wer_vs_wav, 4),
        "final_caption_latency_p95_ms": round(p95(finals) * 1000),
        "partial_caption_latency_p95_ms": round(p95(partials) * 1000),
        "partial_latency_floor_p95_ms": round(fid.partial_floor * 1000),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Live transcription benchmark.")
    parser.add_argument("--quick", action="store_true", help="fewer turns, under a minute")
    parser.add_argument("--cache", type=Path, help="keep the generated speech files here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder: Path = args.cache or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        figures = asyncio.run(bench(args.quick, folder))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
