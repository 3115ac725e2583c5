"""Live transcription benchmark: fidelity, CPU and caption latency, over WebRTC through the node.

    python -m bench.transcription [--quick]

Runs in a private network namespace that has only ``lo`` (needs root, as the tests):
every socket is on 127.0.0.1 and the media node advertises 127.0.0.1. Korean turns
spoken by espeak-ng are encoded as a browser would (Opus, 20 ms packets, VoIP) into
Ogg files; those files' own packets are what the clients send. Each figure has its
baseline measured in the same run.

Through the real server (``hearing.server.build_app`` in a process of its own), with
aiortc clients on its Socket.IO signaling (``bench._transcription_live``), in one
Korean hearing in session whose judge's client receives the captions:

- wer_vs_offline (target <= 0.02): each turn's file is all that a new participant's
  track sends (then silence), so the node receives the file's packets from the track's
  first one, as offline Vosk reads the file; the finals the judge received against Vosk
  decoding the same files directly (`transcribe_file`). Baseline:
  wer_offline_vs_offline, a second offline decoding (in the other order, after other
  audio) against the first: Kaldi's own dither made Vosk's reading depend on what the
  process decoded before; the recognizers' reproducible dither makes it 0;
- partial_caption_latency_p95_ms (<= 800) and final_caption_latency_p95_ms (<= 1500):
  counsel's microphone sends every turn on one running track, in real time, after a
  second of silence and with pauses between turns; from the send time of the packet
  carrying the start (end) of a turn's speech, found in the sent audio decoded, to the
  arrival at the judge's client of the turn's first partial (last final) caption.
  Baseline: partial_latency_floor_p95_ms, the speech offline Vosk needs before its
  first words, fed as the pipeline feeds it. wer_one_track_vs_offline is that run's
  text: Vosk's reading of this synthetic speech changes with where decoding starts
  (the full run's wer_offline_shifted_vs_offline: offline, the files with 10 ms more
  silence before them), and on a running track an utterance starts where the
  voice-activity gate opens, not where the file began;
- cpu_per_silent_participant (<= 0.005 cores): ten more participants publish silence
  and receive one another, and the server process's CPU time (every thread) is read
  in eight windows, transcription on, off, off, on, on, off, off, on (its tap on the
  media node added or removed; off, no pipeline gets a track): (mean on - mean off)
  / 10. Forwarding their audio costs the server far more than transcribing it, so
  this difference is small against the windows' spread (both printed).

In this process, where WebRTC's own cost would drown the figures:

- model_rtf: CPU seconds of offline Vosk (a new recognizer per file) per second of
  audio, on the turns' files (the first two in a quick run);
- cpu_per_speech_second (<= 1.2 x model_rtf): CPU seconds of this process while the
  pipeline (decode, gate, a recognizer from the pool) transcribes the same files'
  packets, fed as fast as it takes them, per second of audio (its text:
  wer_in_process_vs_offline). A new recognizer composes its decoding graph as it
  goes, so both figures are mostly what a participant's first sentences cost.

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import av

from bench._transcription_live import (
    LiveHearing,
    NodeProcess,
    SilentCost,
    TurnResult,
    loopback_clients,
)
from bench._transcription_speech import SpeechFile, make_speech, restamp, sound_span
from hearing.clock import HearingClock
from hearing.roles import Role
from tests.harness.netns import isolate_network
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
    transcribe_pcm,
    word_error_rate,
)
from transcription.audio import BYTES_PER_SAMPLE, file_pcm

# What a court says. espeak-ng's Korean is rough and Vosk's reading of it is far from
# the text; what is measured is whether the pipeline reads it as Vosk does offline.
TURNS = (
    "원고 측 변호인 발언하십시오.",
    "재판을 잠시 휴정하겠습니다.",
    "판결을 선고하겠습니다.",
    "증거를 제출하겠습니다.",
    "피고는 이 계약서에 서명했습니까?",
)
LEAD = 0.2  # seconds of silence before each turn's speech in its file
PAUSE = 1.5  # seconds of silence between turns on the latency track
SHIFT_SAMPLES = 160  # 10 ms at 16 kHz
LATENCY_ROUNDS = 2  # the full run speaks every turn this many times
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
class InProcess:
    """Offline Vosk and the pipeline in this process, on the turns' files."""

    offline: list[str]  # offline Vosk's text per turn: the reference
    again: list[str]  # a second offline decoding, in the other order
    shifted: list[str] | None  # offline, 10 ms more silence before each file (full run)
    wav: list[str] | None  # offline Vosk on the WAV before Opus coding (full run only)
    pipeline: list[str]  # the pipeline's text per measured turn
    model_rtf: float
    cpu_per_speech_second: float
    floor: list[float]  # per turn: speech offline Vosk needs before its first words


async def in_process(
    pool: RecognizerPool, folder: Path, turns: list[SpeechFile], measured: int, *, full: bool
) -> InProcess:
    """Offline Vosk and the pipeline on the same files: text and CPU.

    CPU is measured on the first `measured` turns, all of them for text.
    """

    async def offline(files: list[Path]) -> list[OfflineTranscript]:
        return [await asyncio.to_thread(transcribe_file, pool.model, f) for f in files]

    piped = turns[:measured]
    audio = sum(t.seconds for t in piped)
    cpu = time.process_time()
    decoded = await offline([t.ogg for t in piped])
    model_rtf = (time.process_time() - cpu) / audio
    decoded += await offline([t.ogg for t in turns[measured:]])
    floor = [
        d.first_partial - sound_span(t)[0]
        for d, t in zip(decoded, turns, strict=True)
        if d.first_partial is not None
    ]
    texts: list[str] = []
    cpu = time.process_time()
    for i, turn in enumerate(piped):
        start = time.time()
        pipeline = make_pipeline(pool, folder, f"turn-{i}", HearingClock().started(start))
        packets = restamp(turn.packets, first_pts=FIRST_PTS, start=start)
        texts.append((await run_track(unpaced(packets), pipeline)).text)
    cpu_per_speech_second = (time.process_time() - cpu) / audio
    again = [d.text for d in await offline([t.ogg for t in reversed(turns)])][::-1]
    shift = bytes(SHIFT_SAMPLES * BYTES_PER_SAMPLE)
    shifted = [
        (await asyncio.to_thread(transcribe_pcm, pool.model, shift + file_pcm(t.ogg))).text
        for t in (turns if full else [])
    ]
    wav = [d.text for d in await offline([t.wav for t in turns])] if full else None
    return InProcess(
        offline=[d.text for d in decoded],
        again=again,
        shifted=shifted if full else None,
        wav=wav,
        pipeline=texts,
        model_rtf=model_rtf,
        cpu_per_speech_second=cpu_per_speech_second,
        floor=floor,
    )


def wer(references: list[str], hypotheses: list[str]) -> float:
    """The word error rate of the hypotheses against the references, turn by turn joined."""
    if len(references) != len(hypotheses):
        raise ValueError(f"{len(hypotheses)} texts against {len(references)} references")
    return word_error_rate(" ".join(references), " ".join(hypotheses))


def p95(values: list[float | None]) -> float:
    """The 95th percentile; a value that is missing (a caption never came) counts as infinite."""
    ordered = sorted(math.inf if v is None else v for v in values)
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def as_ms(seconds: float) -> int | None:
    return round(seconds * 1000) if math.isfinite(seconds) else None


def _file_name(text: str) -> str:
    """The speech files' name: the same text, the same (cached) files."""
    return "turn-" + hashlib.sha256(text.encode()).hexdigest()[:12]


def milliseconds(values: list[float | None]) -> list[int | None]:
    return [None if v is None else round(v * 1000) for v in values]


@dataclass(frozen=True)
class Live:
    """What was measured through the server."""

    fresh: list[str]  # each turn's text, its file sent as a new track
    turns: list[TurnResult]  # every turn on one running track
    silent: SilentCost


async def over_webrtc(turns: list[SpeechFile], spoken: list[SpeechFile], data: Path,
                      silent_seconds: float) -> Live:  # fmt: skip
    """The figures measured through the server: text, caption latencies, silent cost."""
    began = time.monotonic()

    def done(what: str) -> None:
        print(f"[{time.monotonic() - began:5.1f} s] {what}", flush=True)

    with loopback_clients():
        async with NodeProcess(data) as node:
            done("server started")
            # The server loads the model while the hearing is made and the judge joins.
            preloading = asyncio.get_running_loop().create_task(node.request("preload", "ko"))
            try:
                hearing = await LiveHearing.start(node, speakers=len(turns))
            finally:
                await asyncio.wait([preloading])
            done("model loaded, hearing in session")
            try:
                preloading.result()
                fresh = await hearing.fresh_tracks(turns)
                done("each file sent as a new track")
                one = await hearing.one_track(spoken, PAUSE)
                done("every turn sent on one track")
                print("  partial latencies (ms):", milliseconds([t.partial_latency for t in one]))
                print("  final latencies (ms):", milliseconds([t.final_latency for t in one]))
                silent = await hearing.silent_cost(silent_seconds)
                done("silent participants measured")
            finally:
                await hearing.close()
        done("server stopped")
    on, off = (", ".join(f"{x:.3f}" for x in xs) for xs in (silent.on, silent.off))
    print(f"  server with 10 silent participants: {on} cores transcribing, {off} not")
    return Live(fresh, one, silent)


async def bench(quick: bool, folder: Path, data: Path) -> dict[str, Any]:
    chosen = TURNS[:3] if quick else TURNS
    turns = [make_speech(text, folder, _file_name(text), lead=LEAD) for text in chosen]
    spoken = turns if quick else turns * LATENCY_ROUNDS
    registry = ModelRegistry()
    try:
        # This process's model loads while the server starts.
        loading = asyncio.get_running_loop().create_task(registry.recognizers("ko"))
        try:
            live = await over_webrtc(turns, spoken, data, 10.0 if quick else 40.0)
        except BaseException:
            loading.cancel()
            await asyncio.gather(loading, return_exceptions=True)
            raise
        pool = await loading
        began = time.monotonic()
        local = await in_process(pool, folder, turns, 2 if quick else len(turns), full=not quick)
    finally:
        await registry.aclose()
    print(f"[{time.monotonic() - began:5.1f} s] offline Vosk and the pipeline in process")
    for turn, offline, fresh in zip(turns, local.offline, live.fresh, strict=True):
        print(f"turn {turn.text}")
        print(f"  offline     {offline}")
        print(f"  over WebRTC {fresh}")
    continuous = [t.text for t in live.turns]
    for turn, text in zip(spoken, continuous, strict=True):
        print(f"  on one track: {turn.text} -> {text}")
    print(f"model_rtf {local.model_rtf:.3f}, pipeline {local.cpu_per_speech_second:.3f}")
    partials = [t.partial_latency for t in live.turns]
    finals = [t.final_latency for t in live.turns]
    each = [local.offline[i % len(turns)] for i in range(len(spoken))]
    piped = local.offline[: len(local.pipeline)]  # the turns the pipeline read in process
    return {
        "mode": "webrtc",
        "quick": quick,
        "turns": len(turns),
        "latency_turns": len(spoken),
        "model_rtf": round(local.model_rtf, 3),
        "cpu_per_speech_second": round(local.cpu_per_speech_second, 3),
        "cpu_ratio_to_model": round(local.cpu_per_speech_second / local.model_rtf, 3),
        "cpu_per_silent_participant": round(live.silent.per_participant, 5),
        "wer_vs_offline": round(wer(local.offline, live.fresh), 4),
        "wer_offline_vs_offline": round(wer(local.offline, local.again), 4),
        "wer_offline_shifted_vs_offline": None
        if local.shifted is None
        else round(wer(local.offline, local.shifted), 4),
        "wer_one_track_vs_offline": round(wer(each, continuous), 4),
        "wer_in_process_vs_offline": round(wer(piped, local.pipeline), 4),
        "wer_vs_wav_before_opus": None
        if local.wav is None
        else round(wer(local.wav, live.fresh), 4),
        "final_caption_latency_p95_ms": as_ms(p95(finals)),
        "partial_caption_latency_p95_ms": as_ms(p95(partials)),
        "partial_latency_floor_p95_ms": as_ms(p95(list(local.floor))),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Live transcription benchmark.")
    parser.add_argument("--quick", action="store_true", help="fewer turns, under a minute")
    parser.add_argument("--cache", type=Path, help="keep the generated speech files here")
    args = parser.parse_args(argv)
    if os.environ.get("HEARING_TEST_NETNS") != "isolated":
        try:
            isolate_network()  # first, while this process has one thread
        except RuntimeError as e:
            sys.exit(f"the benchmark runs in a private network namespace: {e}")
        os.environ["HEARING_TEST_NETNS"] = "isolated"
    with tempfile.TemporaryDirectory(prefix="bench-transcription-") as tmp:
        folder: Path = args.cache or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        figures = asyncio.run(bench(args.quick, folder, Path(tmp) / "data"))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
