"""The recorder of one hearing: takes every published track as received, follows the hearing.

It is a media tap (see the media node's ``MediaTap``): for each published track
the node calls :meth:`Recorder.track_started` and pushes the track's encoded
frames into the returned sink, on the event loop, never waiting. The server
drives it from the hearing's lifecycle::

    recorder = Recorder(hearing_dir, hearing_id, audit=audit, on_alert=forward)
    await recorder.start()    # in session
    await recorder.pause()    # recess: files closed, pause in the audit log
    await recorder.resume()
    await recorder.stop()     # adjournment
    await recorder.aclose()

Frames pushed while the hearing is not in session are dropped and counted.
All file work happens in one writer thread per hearing (:mod:`recording.muxer`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import av

from hearing.audit import AuditLog
from hearing.clock import HearingClock
from hearing.errors import IllegalTransition

from .alerts import AlertKind, RecordingAlert
from .bitstream import dimensions
from .commands import Action, Dimensions, Frame, Lifecycle, TrackEnded, TrackStarted
from .journal import SegmentRecord
from .muxer import Muxer
from .settings import RecordingSettings
from .webm import supported

__all__ = [
    "EncodedFrame",
    "PublishedTrack",
    "RecorderState",
    "RecorderStats",
    "Recorder",
    "RecordingSink",
]

log = logging.getLogger(__name__)

_BACKLOG_ALERT_INTERVAL = 10.0
_KEYFRAME_REQUEST_INTERVAL = 1.0


class PublishedTrack(Protocol):
    """What the media node says about a track when it starts (its ``TrackInfo``)."""

    @property
    def hearing_id(self) -> str: ...
    @property
    def participant_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def codec(self) -> str: ...
    @property
    def clock_rate(self) -> int: ...
    @property
    def started_at(self) -> float: ...
    @property
    def release_lag(self) -> int: ...


class EncodedFrame(Protocol):
    """One encoded frame as the node delivers it (its ``MediaPacket``); never modified here."""

    @property
    def packet(self) -> av.Packet[Any]: ...
    @property
    def keyframe(self) -> bool: ...
    @property
    def arrival(self) -> float: ...


class RecorderState(StrEnum):
    IDLE = "idle"
    """Created; the hearing has not gone in session yet."""
    RECORDING = "recording"
    PAUSED = "paused"
    STOPPED = "stopped"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class RecorderStats:
    """Counts so far; ``dropped_*`` frames were not recorded, and say why."""

    packets_written: int
    dropped_not_in_session: int
    dropped_backlog: int
    dropped_after_error: int
    skipped: int
    """Frames a file could not start with (video before its first key frame)."""
    write_errors: int
    segments_closed: int


class RecordingSink:
    """Where the node pushes one track's frames (the node's ``PacketSink``)."""

    def __init__(self, recorder: Recorder, track_id: int, track: PublishedTrack) -> None:
        self._recorder = recorder
        self._id = track_id
        self._track = track
        self._ended = False

    def push(self, packet: EncodedFrame) -> None:
        if not self._ended:
            self._recorder._push(self._id, self._track, packet)

    def end(self) -> None:
        if not self._ended:
            self._ended = True
            self._recorder._end(self._id)


class Recorder:
    """Records one hearing's published tracks into ``<hearing_dir>/recordings/``."""

    def __init__(
        self,
        hearing_dir: Path,
        hearing_id: str,
        *,
        settings: RecordingSettings | None = None,
        clock: HearingClock | None = None,
        audit: AuditLog | None = None,
        on_alert: Callable[[RecordingAlert], None] | None = None,
        on_keyframe_request: Callable[[PublishedTrack], None] | None = None,
    ) -> None:
        """`clock`: the hearing's clock so far (after a restart mid-hearing); empty if new."""
        self.hearing_id = hearing_id
        self.folder = hearing_dir / "recordings"
        self.settings = settings or RecordingSettings()
        self.state = RecorderState.IDLE
        self._on_alert = on_alert
        self._on_keyframe_request = on_keyframe_request
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tracks: dict[int, PublishedTrack] = {}
        self._next_track_id = 0
        self._keyframe_asked: dict[int, float] = {}
        self._dropped_not_in_session = 0
        self._dropped_backlog = 0
        self._last_backlog_alert = float("-inf")
        self._muxer = Muxer(
            self.folder,
            hearing_id,
            self.settings,
            clock or HearingClock(),
            audit,
            notify=self._notify_threadsafe,
            request_keyframe=self._keyframe_threadsafe,
        )
        self._thread: threading.Thread | None = None

    # -- the media tap ----------------------------------------------------------------

    def track_started(self, track: PublishedTrack) -> RecordingSink | None:
        """Take a published track (any time: frames count only while in session)."""
        if self.state in (RecorderState.STOPPED, RecorderState.CLOSED):
            return None
        if track.hearing_id != self.hearing_id:
            log.error("recorder of %s was offered a track of %s", self.hearing_id, track.hearing_id)
            return None
        if not supported(track.kind, track.codec):
            self._raise_alert(
                RecordingAlert(
                    AlertKind.UNSUPPORTED_TRACK,
                    self.hearing_id,
                    f"the {track.kind} of participant {track.participant_id} is in {track.codec}, "
                    "which cannot be recorded as received: it is NOT being recorded",
                    participant_id=track.participant_id,
                )
            )
            return None
        self._next_track_id += 1
        track_id = self._next_track_id
        self._tracks[track_id] = track
        self._send(
            TrackStarted(
                track_id,
                track.participant_id,
                track.kind,
                track.codec,
                track.clock_rate,
                track.release_lag,
            )
        )
        return RecordingSink(self, track_id, track)

    def _push(self, track_id: int, track: PublishedTrack, frame: EncodedFrame) -> None:
        packet = frame.packet
        if packet.pts is None:
            return
        recording = self.state is RecorderState.RECORDING
        data = bytes(packet) if recording or (frame.keyframe and track.kind == "video") else b""
        dims = dimensions(track.codec, data) if frame.keyframe and track.kind == "video" else None
        if not recording:
            self._dropped_not_in_session += 1
            if dims is not None and self.state is not RecorderState.STOPPED:
                self._send(Dimensions(track_id, dims))
            return
        self._send(Frame(track_id, data, packet.pts, frame.arrival, frame.keyframe, dims))

    def _end(self, track_id: int) -> None:
        self._tracks.pop(track_id, None)
        self._keyframe_asked.pop(track_id, None)
        if self.state is not RecorderState.CLOSED:
            self._send(TrackEnded(track_id))

    def _send(self, command: TrackStarted | Frame | Dimensions | TrackEnded) -> None:
        queue = self._muxer.commands
        if isinstance(command, Frame) and queue.qsize() >= self.settings.max_backlog:
            # The writer is far behind (a stalled disk): drop frames, never track events.
            self._dropped_backlog += 1
            now = time.monotonic()
            if now - self._last_backlog_alert > _BACKLOG_ALERT_INTERVAL:
                self._last_backlog_alert = now
                self._raise_alert(
                    RecordingAlert(
                        AlertKind.FALLING_BEHIND,
                        self.hearing_id,
                        f"the recording writer is {self.settings.max_backlog} frames behind "
                        f"(disk too slow?): {self._dropped_backlog} frames dropped so far",
                    )
                )
            return
        queue.put_nowait(command)

    # -- the hearing's lifecycle --------------------------------------------------------

    async def start(self, at: float | None = None) -> None:
        """The hearing went in session (at wall-clock `at`, default now): record."""
        self._expect("start", RecorderState.IDLE)
        if self._thread is None:
            self._loop = asyncio.get_running_loop()
            self._thread = threading.Thread(
                target=self._muxer.run, name=f"recorder-{self.hearing_id}", daemon=True
            )
            self._thread.start()
        self.state = RecorderState.RECORDING
        try:
            await self._lifecycle(Action.START, at)
        except BaseException:
            self.state = RecorderState.IDLE
            raise

    async def pause(self, at: float | None = None) -> list[SegmentRecord]:
        """Recess: close every file (the pause goes in the audit log); return them."""
        self._expect("pause", RecorderState.RECORDING)
        self.state = RecorderState.PAUSED
        return await self._lifecycle(Action.PAUSE, at)

    async def resume(self, at: float | None = None) -> None:
        """Back in session after a recess: new files for everyone."""
        self._expect("resume", RecorderState.PAUSED)
        self.state = RecorderState.RECORDING
        await self._lifecycle(Action.START, at)

    async def stop(self, at: float | None = None) -> list[SegmentRecord]:
        """Adjournment: close every file; return every segment this recorder wrote."""
        if self.state is RecorderState.IDLE:
            self.state = RecorderState.STOPPED
            return []
        self._expect("stop", RecorderState.RECORDING, RecorderState.PAUSED)
        self.state = RecorderState.STOPPED
        await self._lifecycle(Action.STOP, at)
        return self.segments()

    async def aclose(self) -> None:
        """Close every file and end the writer thread (idempotent; safe in any state)."""
        if self.state is RecorderState.CLOSED:
            return
        self.state = RecorderState.CLOSED
        thread, self._thread = self._thread, None
        if thread is None:
            return
        await self._lifecycle(Action.CLOSE, None)
        await asyncio.to_thread(thread.join)

    def segments(self) -> list[SegmentRecord]:
        """Every file closed so far, in order of closing."""
        return self._muxer.records()

    @property
    def stats(self) -> RecorderStats:
        c = self._muxer.counters
        return RecorderStats(
            packets_written=c.packets_written,
            dropped_not_in_session=self._dropped_not_in_session + c.dropped_not_in_session,
            dropped_backlog=self._dropped_backlog,
            dropped_after_error=c.dropped_after_error,
            skipped=c.skipped,
            write_errors=c.write_errors,
            segments_closed=len(self._muxer.records()),
        )

    def _expect(self, action: str, *states: RecorderState) -> None:
        if self.state not in states:
            raise IllegalTransition(
                f"cannot {action} a recording that is {self.state.value}",
                details={"state": self.state.value, "action": action},
            )

    async def _lifecycle(self, action: Action, at: float | None) -> list[SegmentRecord]:
        done: concurrent.futures.Future[list[SegmentRecord]] = concurrent.futures.Future()
        self._muxer.commands.put_nowait(Lifecycle(action, time.time() if at is None else at, done))
        return await asyncio.wrap_future(done)

    # -- from the writer thread -----------------------------------------------------------

    def _notify_threadsafe(self, alert: RecordingAlert) -> None:
        self._call_soon(self._deliver_alert, alert)

    def _keyframe_threadsafe(self, track_id: int) -> None:
        self._call_soon(self._ask_keyframe, track_id)

    def _call_soon(self, callback: Callable[..., None], *args: object) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the loop closed meanwhile: nobody is listening any more
            pass

    def _raise_alert(self, alert: RecordingAlert) -> None:
        """An alert found on the event loop side: log it, then deliver it."""
        log.error("recording alert (%s) for %s: %s", alert.kind, alert.hearing_id, alert.message)
        self._deliver_alert(alert)

    def _deliver_alert(self, alert: RecordingAlert) -> None:
        if self._on_alert is None:
            return
        try:
            self._on_alert(alert)
        except Exception:
            log.exception("recording alert handler failed on %s", alert.kind)

    def _ask_keyframe(self, track_id: int) -> None:
        track = self._tracks.get(track_id)
        if track is None or self._on_keyframe_request is None:
            return
        now = time.monotonic()
        if now - self._keyframe_asked.get(track_id, float("-inf")) < _KEYFRAME_REQUEST_INTERVAL:
            return
        self._keyframe_asked[track_id] = now
        try:
            self._on_keyframe_request(track)
        except Exception:
            log.exception("key frame request for %s failed", track.participant_id)
