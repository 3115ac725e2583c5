"""A participant's Opus track through the real Korean Vosk model: captions, segments, timing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any, TypeAlias

import av
import pytest

from bench._transcription_speech import PACKET_SECONDS, SpeechFile, opus_silence, restamp
from hearing.clock import HearingClock
from hearing.roles import Role
from transcription import (
    Final,
    Partial,
    Recognizer,
    RecognizerPool,
    Speaker,
    SpeechModel,
    TranscriptEvent,
    TranscriptionPipeline,
    TranscriptLog,
    read_transcript,
    transcribe_file,
)
from transcription.audio import BYTES_PER_SAMPLE, FRAME_BYTES, SAMPLE_RATE, file_pcm

T0 = 1_900_000_000.0  # wall time at which the test tracks start
IN_SESSION = 100.0  # the hearing went in session this long before T0
CLOCK = HearingClock().started(T0 - IN_SESSION)
NEAR_WRAP = (1 << 32) - 50 * 960  # RTP timestamps wrap one second into the track

COUNSEL = Speaker(participant_id="counsel-1", name="김변호", role=Role.COUNSEL)
WITNESS = Speaker(participant_id="witness-1", name="이증인", role=Role.WITNESS)

Packets: TypeAlias = "Iterable[tuple[av.Packet[Any], float]]"


def pipeline(pool: RecognizerPool, log: TranscriptLog, speaker: Speaker) -> TranscriptionPipeline:
    return TranscriptionPipeline(
        recognizers=pool, hearing_id="h-1", speaker=speaker, clock=CLOCK, transcript=log
    )


async def collect(stream: TranscriptionPipeline) -> list[TranscriptEvent]:
    async with asyncio.timeout(60):
        return [event async for event in stream]


async def transcribe(stream: TranscriptionPipeline, packets: Packets) -> list[TranscriptEvent]:
    for packet, arrival in packets:
        stream.push(packet, arrival)
    stream.end()
    return await collect(stream)


def finals(events: list[TranscriptEvent]) -> list[Final]:
    return [e for e in events if isinstance(e, Final)]


def jittered(packets: Packets) -> Packets:
    # Network jitter: packets arrive up to 40 ms late, never early.
    return ((p, arrival + (i % 5) * 0.01) for i, (p, arrival) in enumerate(packets))


async def test_speech_becomes_attributed_segments_on_the_hearing_clock(
    recognizers: RecognizerPool,
    korean_model: SpeechModel,
    counsel_speech: SpeechFile,
    tmp_path: Path,
) -> None:
    log = TranscriptLog(tmp_path)
    stream = pipeline(recognizers, log, COUNSEL)
    for packet, arrival in jittered(restamp(counsel_speech.packets, first_pts=NEAR_WRAP, start=T0)):
        stream.push(packet, arrival)
    stream.end()

    events: list[TranscriptEvent] = []
    async with asyncio.timeout(60):
        async for event in stream:
            if isinstance(event, Final):
                # Durable before anyone is told.
                stored = read_transcript(log.path)
                assert event.seq in [e.seq for e in stored]
            events.append(event)
    await stream.aclose()

    segments = [f.segment for f in finals(events)]
    assert segments, "the speech produced no segment"
    for segment in segments:
        assert (segment.hearing, segment.participant_id) == ("h-1", "counsel-1")
        assert (segment.speaker, segment.role) == ("김변호", Role.COUNSEL)
    begin = IN_SESSION + counsel_speech.lead - 0.1
    end = IN_SESSION + counsel_speech.speech_end + 0.1
    for word in (w for s in segments for w in s.words):
        assert begin <= word.start <= word.end <= end, (word, begin, end)
    assert segments[0].start == segments[0].words[0].start
    partials = [e for e in events if isinstance(e, Partial)]
    assert partials and all(p.participant == COUNSEL for p in partials)
    assert all(begin <= p.at <= end + 1.0 for p in partials)

    text = " ".join(s.text for s in segments)
    # The pipeline reads the words Vosk reads in the file decoded directly.
    offline = await asyncio.to_thread(transcribe_file, korean_model, counsel_speech.ogg)
    assert text == offline.text
    assert [e.segment for e in await log.entries()] == segments


async def test_the_first_words_are_captioned_as_soon_as_the_model_finds_them(
    recognizers: RecognizerPool,
    korean_model: SpeechModel,
    counsel_speech: SpeechFile,
    tmp_path: Path,
) -> None:
    # The earliest the model shows words for this audio: asked after every 20 ms frame.
    direct = Recognizer(korean_model)
    pcm, frame = file_pcm(counsel_speech.ogg), FRAME_BYTES
    earliest = next(
        (offset + frame) / (BYTES_PER_SAMPLE * SAMPLE_RATE)
        for offset in range(0, len(pcm) - frame, frame)
        if direct.accept(pcm[offset : offset + frame]).partial
    )
    stream = pipeline(recognizers, TranscriptLog(tmp_path), COUNSEL)
    packets = restamp(counsel_speech.packets, first_pts=0, start=T0)
    events = await transcribe(stream, packets)
    await stream.aclose()
    first = next(e for e in events if isinstance(e, Partial))
    # A new track's first utterance starts with the file: the caption covers no more
    # audio than the model needed (a frame of rounding), and the offline reference,
    # fed the same way, finds its words at the same point.
    assert first.at - IN_SESSION <= earliest + 0.001, (first.at - IN_SESSION, earliest)
    offline = await asyncio.to_thread(transcribe_file, korean_model, counsel_speech.ogg)
    assert offline.first_partial is not None
    assert abs(offline.first_partial - (first.at - IN_SESSION)) <= 0.001


async def test_a_silent_track_produces_nothing(recognizers: RecognizerPool, tmp_path: Path) -> None:
    log = TranscriptLog(tmp_path)
    stream = pipeline(recognizers, log, WITNESS)
    silence = restamp(opus_silence(150), first_pts=12345, start=T0)
    assert await transcribe(stream, silence) == []
    await stream.aclose()
    assert not log.path.exists()


async def test_a_track_that_stops_mid_word_keeps_its_last_words(
    recognizers: RecognizerPool, counsel_speech: SpeechFile, tmp_path: Path
) -> None:
    stop = counsel_speech.lead + 0.6 * (counsel_speech.speech_end - counsel_speech.lead)
    kept = counsel_speech.packets[: round(stop / PACKET_SECONDS)]
    stream = pipeline(recognizers, TranscriptLog(tmp_path), COUNSEL)
    segments = [
        f.segment for f in finals(await transcribe(stream, restamp(kept, first_pts=0, start=T0)))
    ]
    await stream.aclose()
    assert segments, "the words before the track stopped were lost"
    # Decoded right up to where the audio stopped: the last word ends near the cut.
    assert IN_SESSION + stop - 0.4 <= segments[-1].end <= IN_SESSION + stop + 0.05


async def test_pause_finalizes_the_utterance_and_drops_audio_until_resumed(
    recognizers: RecognizerPool,
    counsel_speech: SpeechFile,
    witness_speech: SpeechFile,
    tmp_path: Path,
) -> None:
    cut = round(0.7 * counsel_speech.speech_end / PACKET_SECONDS)
    payloads = [*counsel_speech.packets[:cut], *witness_speech.packets, *opus_silence(50)]
    packets = list(restamp(payloads, first_pts=777, start=T0))
    muted_from, muted_to = cut, cut + len(witness_speech.packets)
    stream = pipeline(recognizers, TranscriptLog(tmp_path), COUNSEL)
    for packet, arrival in packets[:muted_from]:
        stream.push(packet, arrival)
    stream.pause()  # muted mid-sentence: what was said so far is kept
    async with asyncio.timeout(60):
        first = [e async for e in _until_final(stream)]
    assert finals(first), "the utterance in progress was not finalized at the pause"
    for packet, arrival in packets[muted_from:muted_to]:
        stream.push(packet, arrival)  # dropped: the participant is muted
    stream.resume()
    rest = await transcribe(stream, packets[muted_to:])
    await stream.aclose()
    assert stream.dropped_packets == muted_to - muted_from
    assert finals(rest) == []  # nothing of what was said while muted
    assert finals(first)[-1].segment.end <= IN_SESSION + cut * PACKET_SECONDS + 0.05


async def _until_final(stream: TranscriptionPipeline) -> AsyncIterator[TranscriptEvent]:
    async for event in stream:
        yield event
        if isinstance(event, Final):
            return


async def test_two_speakers_overlapping_are_ordered_by_start(
    recognizers: RecognizerPool,
    counsel_speech: SpeechFile,
    witness_speech: SpeechFile,
    tmp_path: Path,
) -> None:
    log = TranscriptLog(tmp_path)
    counsel, witness = pipeline(recognizers, log, COUNSEL), pipeline(recognizers, log, WITNESS)
    # The witness starts 1.5 s after counsel, while counsel is still speaking.
    merged = sorted(
        [(a, counsel, p) for p, a in restamp(counsel_speech.packets, first_pts=5, start=T0)]
        + [
            (a, witness, p) for p, a in restamp(witness_speech.packets, first_pts=9, start=T0 + 1.5)
        ],
        key=lambda item: item[0],
    )
    for arrival, stream, packet in merged:
        stream.push(packet, arrival)
    # The witness's segments reach the log first; the transcript still reads in order.
    witness.end()
    witness_events = await collect(witness)
    counsel.end()
    counsel_events = await collect(counsel)
    await asyncio.gather(counsel.aclose(), witness.aclose())
    assert finals(witness_events) and finals(counsel_events)

    entries = await log.entries()
    assert [e.seq for e in entries] != sorted(e.seq for e in entries)  # appended out of order
    starts = [e.segment.start for e in entries]
    assert starts == sorted(starts)
    for entry in entries:
        if entry.segment.participant_id == COUNSEL.participant_id:
            assert entry.segment.start < IN_SESSION + counsel_speech.seconds
        else:
            assert entry.segment.participant_id == WITNESS.participant_id
            assert entry.segment.start >= IN_SESSION + 1.5
    assert await log.verify() == len(entries)


async def test_closing_mid_speech_stops_at_once(
    recognizers: RecognizerPool, counsel_speech: SpeechFile, tmp_path: Path
) -> None:
    stream = pipeline(recognizers, TranscriptLog(tmp_path), COUNSEL)
    half = counsel_speech.packets[: len(counsel_speech.packets) // 2]
    for packet, arrival in restamp(half, first_pts=0, start=T0):
        stream.push(packet, arrival)
    await stream.aclose()
    await stream.aclose()  # idempotent
    assert not finals([e async for e in stream])
    with pytest.raises(RuntimeError):
        stream.push(*next(iter(restamp(half, first_pts=0, start=T0))))


async def test_a_segment_that_cannot_be_stored_is_an_error_for_the_reader(
    recognizers: RecognizerPool, counsel_speech: SpeechFile, tmp_path: Path
) -> None:
    log = TranscriptLog(tmp_path / "no such hearing")  # every append fails
    stream = pipeline(recognizers, log, COUNSEL)
    for packet, arrival in restamp(counsel_speech.packets, first_pts=0, start=T0):
        stream.push(packet, arrival)
    stream.end()
    with pytest.raises(FileNotFoundError):
        async with asyncio.timeout(60):
            async for event in stream:
                assert not isinstance(event, Final)  # never shown, since never stored
    await stream.aclose()
