"""One participant's live transcription: Opus packets in, captions and final segments out.

    pipeline = TranscriptionPipeline(recognizers=await registry.recognizers(language),
                                     hearing_id=..., speaker=..., clock=...,
                                     transcript=TranscriptLog(hearing_dir))
    pipeline.push(packet, arrival)  # for each received packet; pipeline.end() when the track ends
    async for event in pipeline:    # Partial captions, Final segments (already durable)
        ...
    await pipeline.aclose()

`push()` decodes packets and judges them with the voice-activity gate on the spot (tens
of microseconds a packet, less than a hand-off to a thread would cost; a few packets at
a time while nobody speaks), so a silent participant wakes nothing else. Speech wakes
the pipeline's task, which feeds the recognizer in a thread pool. Each final result is
appended to the transcript log (fsynced) before its `Final` event is yielded, so nobody
is shown a segment that a crash could lose.

Pausing (a muted participant, a recess, a caucus): audio pushed after `pause()` and
before `resume()` is dropped undecoded and never transcribed; the utterance in progress
when `pause()` is called, everything pushed before it, is finalized and kept, since
it was said on the record.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

import av

from hearing.clock import HearingClock
from hearing.tasks import TaskSet

from .audio import BYTES_PER_SAMPLE, SAMPLE_RATE, Framer, OpusDecoder
from .gate import Feed, GateSettings, Mark, VoiceGate
from .recognition import Chunking, Decoded, Recognized, Recognizer, RecognizerPool
from .segment import Segment, Speaker, Word
from .timeline import SampleMap, StreamClock
from .transcript import TranscriptLog

__all__ = ["Final", "Partial", "TranscriptEvent", "TranscriptionPipeline"]

log = logging.getLogger(__name__)

T = TypeVar("T")

_BATCH = 5  # packets (100 ms) decoded together while the gate is closed


@dataclass(frozen=True, slots=True)
class Partial:
    """A live caption that may still change: the words of the utterance so far.

    `at` is the hearing clock (seconds in session) of the latest audio it covers.
    """

    participant: Speaker
    text: str
    at: float


@dataclass(frozen=True, slots=True)
class Final:
    """A final segment, already durable in the transcript log as entry `seq`."""

    segment: Segment
    seq: int


TranscriptEvent = Partial | Final


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class TranscriptionPipeline:
    """Transcribes one participant's audio track; see the module docstring.

    `clock` maps wall-clock time (UNIX seconds) to the hearing clock: a HearingClock, or
    a callable that reads the hearing's current clock so that recesses are followed.
    Segments are appended to `transcript` before they are yielded.
    """

    def __init__(
        self,
        *,
        recognizers: RecognizerPool,
        hearing_id: str,
        speaker: Speaker,
        clock: HearingClock | Callable[[float], float],
        transcript: TranscriptLog,
        settings: GateSettings | None = None,
    ) -> None:
        self.speaker = speaker
        self._recognizers = recognizers
        self._hearing_id = hearing_id
        self._hearing_time = clock.at if isinstance(clock, HearingClock) else clock
        self._transcript = transcript
        self._decoder = OpusDecoder()
        self._stream = StreamClock()
        self._framer = Framer()
        self._waiting: list[tuple[av.Packet[Any], float]] = []
        self._gate = VoiceGate(settings or GateSettings())
        self._feed: deque[Feed] = deque()
        self._wake = asyncio.Event()
        self._events: asyncio.Queue[TranscriptEvent | _Failed | None] = asyncio.Queue()
        self._recognizer: Recognizer | None = None
        self._map = SampleMap()
        self._pending = bytearray()
        self._chunking = Chunking()
        self._unfinished = False  # audio fed (or pending) since the last finalization
        self._last_partial = ""
        self._call: Future[Any] | None = None
        self._paused = False
        self._ended = False
        self._closed = False
        self._finished = False
        self._failed = False  # transcription stopped on an error (given to the reader)
        self.dropped_packets = 0  # pushed while paused, late or repeated
        self.undecodable_packets = 0
        self._tasks = TaskSet(f"transcription:{speaker.participant_id}")
        self._tasks.spawn(self._run(), name=f"transcribe-{speaker.participant_id}")

    # -- input -------------------------------------------------------------------------

    def push(self, packet: av.Packet[Any], arrival: float) -> None:
        """Take one received Opus packet (pts in its time base) and its arrival wall time."""
        if self._ended:
            raise RuntimeError("push() after end() or aclose()")
        if self._paused or self._failed:
            self.dropped_packets += 1
            return
        if packet.pts is None:
            raise ValueError("an audio packet without a timestamp (pts) cannot be placed")
        time = self._stream.place(packet.pts, packet.time_base, arrival)
        if time is None:
            self.dropped_packets += 1
            return
        self._waiting.append((packet, time))
        # While nobody speaks, packets are decoded a few at a time: the same work, but done
        # with the decoder's state still in cache. Speech is decoded as it comes.
        if self._gate.open or len(self._waiting) >= _BATCH:
            self._decode_waiting()

    def _decode_waiting(self) -> None:
        out: list[Feed] = []
        for packet, time in self._waiting:
            try:
                pcm = self._decoder.decode(packet)
            except av.FFmpegError as e:
                self.undecodable_packets += 1
                if self.undecodable_packets == 1:  # once per track, not fifty times a second
                    log.warning("%s: dropping undecodable audio packets: %s", self.speaker, e)
                continue
            for frame, frame_time in self._framer.push(pcm, time):
                self._gate.push(frame, frame_time, out)
        self._waiting.clear()
        self._enqueue(out)

    def pause(self) -> None:
        """Stop listening (mute, recess, caucus); finalize the utterance in progress."""
        if self._paused or self._ended:
            return
        self._decode_waiting()
        self._paused = True
        self._close_utterance()

    def resume(self) -> None:
        """Listen again after `pause()`."""
        self._paused = False

    @property
    def paused(self) -> bool:
        return self._paused

    def end(self) -> None:
        """The track has ended: finalize what was heard; iteration stops after the last event."""
        if self._ended:
            return
        if not self._paused:
            self._decode_waiting()
            tail = self._decoder.flush()
            if tail:
                out: list[Feed] = []
                for frame, frame_time in self._framer.push(tail, self._framer.next_time):
                    self._gate.push(frame, frame_time, out)
                self._enqueue(out)
        self._close_utterance()
        self._ended = True
        self._enqueue([Mark.STREAM_END])

    def _close_utterance(self) -> None:
        out: list[Feed] = []
        self._gate.close(out, self._framer.take_rest())
        self._enqueue(out)

    def _enqueue(self, items: list[Feed]) -> None:
        if items:
            self._feed.extend(items)
            self._wake.set()

    # -- output ------------------------------------------------------------------------

    def __aiter__(self) -> TranscriptionPipeline:
        return self

    async def __anext__(self) -> TranscriptEvent:
        if self._finished:
            raise StopAsyncIteration
        item = await self._events.get()
        if item is None:
            self._finished = True
            raise StopAsyncIteration
        if isinstance(item, _Failed):
            self._finished = True
            raise item.error
        return item

    async def aclose(self) -> None:
        """Stop at once (without finalizing) and release the recognizer (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._ended = True
        await self._tasks.cancel_and_wait()
        if self._call is not None and not self._call.done():
            # A recognizer call cannot be interrupted: let it finish before returning.
            await asyncio.wait([asyncio.wrap_future(self._call)])
        if self._recognizer is not None:
            # Freeing a recognizer takes milliseconds of C: do it off the event loop.
            holder, self._recognizer = [self._recognizer], None
            with contextlib.suppress(RuntimeError):  # the thread pool is already shut down
                await asyncio.wrap_future(self._recognizers.executor.submit(holder.clear))
            holder.clear()
        if not self._finished:
            self._events.put_nowait(None)

    # -- the task that feeds the recognizer --------------------------------------------

    async def _run(self) -> None:
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                while self._feed:
                    item = self._feed.popleft()
                    if item is Mark.STREAM_END:
                        await self._finalize()
                        self._events.put_nowait(None)
                        return
                    if item is Mark.UTTERANCE_END:
                        await self._finalize()
                        continue
                    pcm, time = item
                    self._map.add(len(pcm) // BYTES_PER_SAMPLE, time)
                    self._pending += pcm
                    self._unfinished = True
                    while len(self._pending) >= (size := self._chunking.size):
                        chunk = bytes(self._pending[:size])
                        del self._pending[:size]
                        await self._decode(chunk, final=False)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            log.exception("%s: transcription failed", self.speaker)
            self._failed = True
            self._feed.clear()
            self._events.put_nowait(_Failed(e))

    async def _finalize(self) -> None:
        if not self._unfinished:
            return
        chunk = bytes(self._pending)
        self._pending.clear()
        await self._decode(chunk, final=True)
        self._chunking.restart()
        self._unfinished = False
        self._last_partial = ""
        self._map.forget_before(self._map.fed / SAMPLE_RATE - 1.0)

    async def _decode(self, pcm: bytes, *, final: bool) -> None:
        if self._recognizer is None:
            self._recognizer = await self._recognizers.take()
        decoded: Decoded = await self._in_thread(self._recognizer.accept, pcm, final=final)
        self._chunking.follow(decoded)
        for result in decoded.finals:
            segment = self._segment(result)
            entry = await self._transcript.append(segment)  # durable before anyone is told
            self._events.put_nowait(Final(segment, entry.seq))
        if decoded.finals:
            self._last_partial = ""
        if decoded.partial and decoded.partial != self._last_partial:
            self._last_partial = decoded.partial
            at = self._hearing(self._map.fed / SAMPLE_RATE)
            self._events.put_nowait(Partial(self.speaker, decoded.partial, at))

    async def _in_thread(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        self._call = self._recognizers.executor.submit(fn, *args, **kwargs)
        return await asyncio.wrap_future(self._call)

    # -- time --------------------------------------------------------------------------

    def _hearing(self, recognizer_seconds: float) -> float:
        """Recognizer time to hearing-clock seconds, through stream and wall time."""
        wall = self._stream.wall(self._map.stream_time(recognizer_seconds))
        return round(self._hearing_time(wall), 3)

    def _segment(self, result: Recognized) -> Segment:
        words = tuple(
            Word(
                word=w.word,
                start=self._hearing(w.start),
                end=self._hearing(w.end),
                conf=round(min(max(w.conf, 0.0), 1.0), 4),
            )
            for w in result.words
        )
        end = self._hearing(self._map.fed / SAMPLE_RATE)
        return Segment(
            hearing=self._hearing_id,
            participant_id=self.speaker.participant_id,
            speaker=self.speaker.name,
            role=self.speaker.role,
            start=words[0].start if words else end,
            end=words[-1].end if words else end,
            text=result.text,
            words=words,
        )
