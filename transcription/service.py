"""Transcription for a whole server: one pipeline per published microphone, following the hearing.

The service is the media node's tap for transcription. For each audio track it makes a
pipeline for that participant (exact attribution: one track, one speaker), paused
unless the hearing is in session; it resumes and pauses the hearing's pipelines with
the lifecycle and ends them at adjournment. Every caption and final segment goes to
`on_event`; finals are durable in `transcript.jsonl` before they get there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from hearing.clock import HearingClock
from hearing.lifecycle import HearingState
from hearing.model import Hearing
from hearing.tasks import TaskSet
from media.tap import MediaPacket, TrackInfo

from .models import ModelRegistry
from .pipeline import TranscriptEvent, TranscriptionPipeline
from .segment import Speaker
from .transcript import TranscriptLog

__all__ = ["TranscriptionService"]

log = logging.getLogger(__name__)

EventHandler = Callable[[str, TranscriptEvent], Awaitable[None]]
HearingSource = Callable[[str], Awaitable[Hearing]]
FailureHandler = Callable[[str, str, str], Awaitable[None]]
"""on_failure(hearing_id, participant_id, error): a participant's transcription stopped."""


@dataclass
class _Hearing:
    clock: HearingClock
    in_session: bool
    sinks: list[_Sink] = field(default_factory=list)


class _Sink:
    """Holds a track's packets until its pipeline is ready (the model may still load)."""

    def __init__(self) -> None:
        self.pipeline: TranscriptionPipeline | None = None
        self.waiting: list[MediaPacket] = []
        self.ended = False

    def push(self, packet: MediaPacket) -> None:
        if self.ended:
            return  # the track or the hearing is over: nothing more is transcribed
        if self.pipeline is not None:
            self.pipeline.push(packet.packet, packet.arrival)
        else:
            self.waiting.append(packet)

    def end(self) -> None:
        if self.ended:
            return
        self.ended = True
        if self.pipeline is not None:
            self.pipeline.end()

    def attach(self, pipeline: TranscriptionPipeline) -> None:
        for packet in self.waiting:
            pipeline.push(packet.packet, packet.arrival)
        self.waiting.clear()
        self.pipeline = pipeline
        if self.ended:
            pipeline.end()


class TranscriptionService:
    """Every hearing's transcription pipelines, created and closed in one place."""

    def __init__(
        self,
        registry: ModelRegistry,
        hearings_dir: Path,
        *,
        hearing: HearingSource,
        on_event: EventHandler,
        on_failure: FailureHandler | None = None,
    ) -> None:
        self.registry = registry
        self._dir = hearings_dir
        self._hearing = hearing
        self._on_event = on_event
        self._on_failure = on_failure
        self._hearings: dict[str, _Hearing] = {}
        self._tasks = TaskSet("transcription")
        self._running: dict[str, set[asyncio.Task[None]]] = {}  # by hearing

    async def check(self, hearing: Hearing) -> None:
        """Refuse to open a hearing whose language has no usable model (clear error): the
        model is loaded now, so that one that cannot be loaded fails before anyone speaks."""
        self.registry.check(hearing.language)
        await self.registry.ensure(hearing.language)

    # -- the media tap ------------------------------------------------------------

    def track_started(self, track: TrackInfo) -> _Sink | None:
        if track.kind != "audio" or track.codec.lower() != "opus":
            return None
        sink = _Sink()
        task = self._tasks.spawn(
            self._transcribe(track, sink), name=f"transcribe {track.participant_id}"
        )
        running = self._running.setdefault(track.hearing_id, set())
        running.add(task)
        task.add_done_callback(running.discard)
        return sink

    async def finished(self, hearing_id: str) -> None:
        """Return once every pipeline of the hearing has ended, its last segments durable
        (call after the hearing ended: its pipelines are ending)."""
        tasks = self._running.pop(hearing_id, set())
        if tasks:
            await asyncio.wait(tasks)

    # -- lifecycle ----------------------------------------------------------------

    async def follow(self, hearing: Hearing) -> None:
        """Pipelines run while the hearing is in session, pause otherwise, end when it ends."""
        state = self._hearings.get(hearing.id)
        if state is None:
            state = self._hearings[hearing.id] = _Hearing(hearing.clock, False)
        state.clock = hearing.clock
        state.in_session = hearing.state is HearingState.IN_SESSION
        for sink in state.sinks:
            if sink.pipeline is None:
                continue
            if state.in_session:
                sink.pipeline.resume()
            else:
                sink.pipeline.pause()
        if hearing.state.final:
            for sink in state.sinks:
                sink.end()

    async def close(self) -> None:
        """End every pipeline (what was said is finalized and kept), then close models."""
        for state in self._hearings.values():
            for sink in state.sinks:
                sink.end()
        await self._tasks.wait()
        await self.registry.aclose()

    # -- one track ------------------------------------------------------------------

    async def _transcribe(self, track: TrackInfo, sink: _Sink) -> None:
        try:
            await self._run(track, sink)
        except asyncio.CancelledError:
            sink.end()
            sink.waiting.clear()
            raise
        except Exception as e:
            sink.end()  # nothing more is held for a pipeline that will not come
            sink.waiting.clear()
            # The transcript now has a hole: the court is told, not just the log.
            log.exception("transcription of %s in %s failed", track.participant_id,
                          track.hearing_id)  # fmt: skip
            if self._on_failure is not None:
                await self._on_failure(track.hearing_id, track.participant_id, str(e))

    async def _run(self, track: TrackInfo, sink: _Sink) -> None:
        hearing = await self._hearing(track.hearing_id)
        participant = hearing.participant(track.participant_id)
        state = self._hearings.get(hearing.id)
        if state is None:
            state = self._hearings[hearing.id] = _Hearing(
                hearing.clock, hearing.state is HearingState.IN_SESSION
            )
        pipeline = TranscriptionPipeline(
            recognizers=await self.registry.recognizers(hearing.language),
            hearing_id=hearing.id,
            speaker=Speaker(
                participant_id=participant.id, name=participant.display_name, role=participant.role
            ),
            clock=lambda wall: state.clock.at(wall),
            transcript=TranscriptLog(self._dir / hearing.id),
        )
        if not state.in_session:
            pipeline.pause()
        state.sinks.append(sink)
        sink.attach(pipeline)
        try:
            async for event in pipeline:
                await self._on_event(hearing.id, event)
        finally:
            state.sinks.remove(sink)
            await pipeline.aclose()
