"""The recorder's writer thread: every file of one hearing is opened, written and closed here.

The event loop only queues commands (a track started or ended, a frame, a
lifecycle step); this thread maps frames onto the wall clock, groups each
participant's tracks into segment files, muxes, watches the disk and reports
failures. Nothing here ever runs on the event loop.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hearing.audit import AuditLog
from hearing.clock import HearingClock

from .alerts import AlertKind, DiskWatch, RecordingAlert, Reporter
from .commands import Action, Command, Dimensions, Frame, Lifecycle, TrackEnded, TrackStarted
from .journal import Journal, SegmentRecord, SegmentStatus
from .participant import Participant, Pending, Track, next_segment_number
from .segment import Segment, segment_file_name
from .settings import RecordingSettings

__all__ = ["Counters", "Muxer"]

log = logging.getLogger(__name__)

_TICK = 0.1


@dataclass(slots=True)
class Counters:
    """Running totals, written by the writer thread (ints: safe to read from any thread)."""

    packets_written: int = 0
    dropped_not_in_session: int = 0
    dropped_after_error: int = 0
    skipped: int = 0
    write_errors: int = 0


class Muxer:
    """Owns the files of one hearing; :meth:`run` is the body of its thread."""

    def __init__(
        self,
        folder: Path,
        hearing_id: str,
        settings: RecordingSettings,
        clock: HearingClock,
        audit: AuditLog | None,
        notify: Callable[[RecordingAlert], None],
        request_keyframe: Callable[[int], None],
    ) -> None:
        self.folder = folder
        self.hearing_id = hearing_id
        self.settings = settings
        self.commands: queue.Queue[Command] = queue.Queue()  # frames bounded by the sender
        self.counters = Counters()
        self._clock = clock
        self._report = Reporter(hearing_id, notify, audit)
        self._request_keyframe = request_keyframe
        self._journal = Journal(folder)
        self._disk = DiskWatch(folder, settings.min_free_bytes)
        self._tracks: dict[int, Track] = {}
        self._participants: dict[str, Participant] = {}
        self._recording = False
        self._until: float | None = None
        self._records: list[SegmentRecord] = []
        self._records_lock = threading.Lock()
        self._next_disk_check = 0.0

    def records(self) -> list[SegmentRecord]:
        """Every segment closed so far (thread-safe copy)."""
        with self._records_lock:
            return list(self._records)

    # -- the thread -------------------------------------------------------------------

    def run(self) -> None:
        next_tick = 0.0
        while True:
            try:
                command: Command | None = self.commands.get(timeout=_TICK)
            except queue.Empty:
                command = None
            if isinstance(command, Lifecycle):
                if self._lifecycle(command):
                    return
            elif command is not None:
                try:
                    self._handle(command)
                except Exception:  # a bug, not a write error (those are handled): keep going
                    log.exception("recorder of %s: cannot handle %r", self.hearing_id, command)
            now = time.monotonic()
            if now >= next_tick:
                next_tick = now + _TICK
                try:
                    self._tick(now)
                except Exception:
                    log.exception("recorder of %s: periodic check failed", self.hearing_id)

    def _handle(self, command: Command) -> None:
        if isinstance(command, Frame):
            self._frame(command)
        elif isinstance(command, TrackStarted):
            self._track_started(command)
        elif isinstance(command, TrackEnded):
            self._track_ended(command)
        elif isinstance(command, Dimensions):
            track = self._tracks.get(command.track_id)
            if track is not None:
                track.dims = command.dims

    def _lifecycle(self, command: Lifecycle) -> bool:
        """Run a lifecycle step and resolve its future; True when the thread must end."""
        try:
            if command.action is Action.START:
                result = self._start(command.at)
            elif command.action is Action.PAUSE:
                result = self._end_sitting(command.at, "recess", "recording_paused")
            elif command.action is Action.STOP:
                result = self._end_sitting(command.at, "adjourned", "recording_stopped")
            else:
                result = []
                if self._recording:
                    result = self._end_sitting(command.at, "shutdown", "recording_interrupted")
        except BaseException as e:
            command.done.set_exception(e)
        else:
            command.done.set_result(result)
        return command.action is Action.CLOSE

    # -- lifecycle ----------------------------------------------------------------------

    @property
    def _sitting_start(self) -> float:
        return self._clock.sittings[-1][0] if self._clock.running else float("inf")

    def _start(self, at: float) -> list[SegmentRecord]:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            self._report.alert(
                RecordingAlert(
                    AlertKind.WRITE_FAILED,
                    self.hearing_id,
                    f"cannot create the recordings folder {self.folder}: {e}",
                )
            )
            raise
        if not self._clock.running:
            self._clock = self._clock.started(at)
        self._recording = True
        self._check_disk()
        self._report.audit("recording_started", clock=self._clock.at(at))
        return []

    def _end_sitting(self, at: float, reason: str, action: str) -> list[SegmentRecord]:
        self._until = at
        try:
            for track in list(self._tracks.values()):
                for item, wall in track.timeline.drain():
                    self._deliver(track, item, wall)
            for participant in self._participants.values():
                if participant.pending:
                    self._open(participant, force=True)
            closed = [
                record
                for participant in self._participants.values()
                if (record := self._close(participant, reason, end_wall=at)) is not None
            ]
        finally:
            self._until = None
            self._recording = False
        if self._clock.running:
            self._clock = self._clock.stopped(max(at, self._sitting_start))
        self._report.audit(
            action, clock=self._clock.at(at), details={"files": [r.file for r in closed]}
        )
        return closed

    # -- tracks and frames ------------------------------------------------------------

    def _participant(self, participant_id: str) -> Participant:
        participant = self._participants.get(participant_id)
        if participant is None:
            participant = Participant(
                participant_id,
                next_segment_number(self.folder, self.hearing_id, participant_id),
            )
            self._participants[participant_id] = participant
        return participant

    def _track_started(self, command: TrackStarted) -> None:
        participant = self._participant(command.participant_id)
        track = Track(command, self.settings)
        old = participant.tracks.get(track.kind)
        if old is not None:
            if not old.ended:  # replaced without ending (a reconnect racing the old track)
                for item, wall in old.timeline.drain():
                    self._deliver(old, item, wall)
                old.superseded = True
                self._tracks.pop(old.id, None)
            if participant.segment is not None and participant.segment.has(track.kind):
                self._close(participant, "reconnected")
        participant.tracks[track.kind] = track
        self._tracks[track.id] = track

    def _track_ended(self, command: TrackEnded) -> None:
        track = self._tracks.pop(command.track_id, None)
        if track is None:
            return
        for item, wall in track.timeline.drain():
            self._deliver(track, item, wall)
        participant = self._participants[track.participant_id]
        last = [t for t in participant.active() if t is not track] == []
        if last and participant.pending:
            self._open(participant, force=True)
        track.ended = True
        if last:
            self._close(participant, "left")

    def _frame(self, frame: Frame) -> None:
        track = self._tracks.get(frame.track_id)
        if track is None:
            self.counters.dropped_not_in_session += 1
            return
        self._participants[track.participant_id].last_seen = time.monotonic()
        if frame.dims is not None:
            track.dims = frame.dims
        item = (frame.data, frame.keyframe)
        for mapped, wall in track.timeline.push(frame.rtp, frame.arrival, item):
            self._deliver(track, mapped, wall)

    def _deliver(self, track: Track, item: tuple[bytes, bool], wall: float) -> None:
        """Route one frame, now placed on the wall clock, to its participant's file."""
        data, keyframe = item
        if (
            not self._recording
            or wall < self._sitting_start
            or (self._until is not None and wall > self._until)
        ):
            self.counters.dropped_not_in_session += 1
            return
        participant = self._participants[track.participant_id]
        if wall < participant.retry_at:
            self.counters.dropped_after_error += 1
            return
        segment = participant.segment
        if segment is not None:
            if segment.has(track.kind):
                self._write(participant, segment, track.kind, data, wall, keyframe)
                return
            self._close(participant, "tracks_changed")  # e.g. a camera switched on later
        if not participant.pending:
            participant.pending_since = time.monotonic()
        participant.pending.append(Pending(track.kind, data, wall, keyframe))
        self._open(participant)

    def _write(
        self,
        participant: Participant,
        segment: Segment,
        kind: str,
        data: bytes,
        wall: float,
        keyframe: bool,
    ) -> None:
        try:
            written = segment.write(kind, data, wall, keyframe)
        except Exception as e:
            self._failed(participant, e, wall)
            return
        if written:
            self.counters.packets_written += 1
        else:
            self.counters.skipped += 1

    # -- segments ---------------------------------------------------------------------

    def _open(self, participant: Participant, *, force: bool = False) -> None:
        """Open the participant's next file once every track can be described (or waited on)."""
        if participant.segment is not None or not participant.pending:
            return
        specs = participant.streams_to_open(self.settings, force=force)
        if specs is None:  # still gathering: perhaps for a key frame
            video = participant.tracks.get("video")
            if video is not None and not video.ended:
                self._request_keyframe(video.id)
            return
        pending = sorted(participant.pending, key=lambda p: p.wall)
        participant.pending = []
        if not specs:
            self.counters.skipped += len(pending)
            return
        start_wall = max(self._sitting_start, pending[0].wall)
        streams = specs
        number = participant.next_number
        record = SegmentRecord(
            file=segment_file_name(self.hearing_id, participant.id, number, streams),
            hearing_id=self.hearing_id,
            participant_id=participant.id,
            number=number,
            start_wall=start_wall,
            offset=self._clock.at(start_wall),
            streams=streams,
        )
        participant.next_number += 1
        self._check_disk()
        try:
            self._journal.opened(record)
            participant.segment = Segment(
                record, self.folder, cluster_seconds=self.settings.cluster_seconds
            )
        except Exception as e:
            self._failed(participant, e, start_wall, record=record)
            return
        log.info("recording %s (hearing clock %.3f s)", record.file, record.offset)
        for p in pending:
            segment = participant.segment
            if segment is None:
                break  # the file failed while writing what was gathered
            if segment.has(p.kind):
                self._write(participant, segment, p.kind, p.data, p.wall, p.keyframe)
            else:
                self.counters.skipped += 1
        self._ask_keyframe(participant)

    def _close(
        self, participant: Participant, reason: str, *, end_wall: float | None = None
    ) -> SegmentRecord | None:
        segment, participant.segment = participant.segment, None
        if segment is None:
            return None
        try:
            record = segment.close(reason, end_wall)
            self._journal.closed(record)
        except Exception as e:
            participant.segment = segment
            self._failed(participant, e, segment.end_wall)
            return None
        self._add_record(record)
        log.info("closed %s (%s, %.3f s)", record.file, reason, record.duration or 0.0)
        return record

    def _failed(
        self,
        participant: Participant,
        error: Exception,
        wall: float,
        *,
        record: SegmentRecord | None = None,
    ) -> None:
        """A write error: report it loudly, keep what was written, retry a little later."""
        segment, participant.segment = participant.segment, None
        failed: SegmentRecord | None = None
        if segment is not None:
            failed = segment.abort()
        elif record is not None:
            failed = record.closed(SegmentStatus.FAILED, wall, "write_error")
        participant.pending = []
        participant.retry_at = wall + self.settings.retry_seconds
        self.counters.write_errors += 1
        file = failed.file if failed is not None else None
        if failed is not None:
            self._add_record(failed)
            try:
                self._journal.closed(failed)
            except Exception as e:  # the marker stays: recover() will look at the file
                log.error("cannot note the failure of %s in the journal: %s", failed.file, e)
        self._report.write_failed(
            participant.id, file, error, self.settings.retry_seconds, self._clock.at(wall)
        )

    def _add_record(self, record: SegmentRecord) -> None:
        with self._records_lock:
            self._records.append(record)

    def _ask_keyframe(self, participant: Participant) -> None:
        video = participant.tracks.get("video")
        segment = participant.segment
        if video is not None and segment is not None and segment.awaiting_keyframe:
            self._request_keyframe(video.id)

    # -- housekeeping -----------------------------------------------------------------

    def _tick(self, now: float) -> None:
        for participant in self._participants.values():
            if participant.segment is not None:
                if now - participant.last_seen > self.settings.idle_close_seconds:
                    # Nothing arrives (a stalled connection): close the file, so a crash
                    # now cannot take the last cluster with it.
                    for track in participant.tracks.values():
                        for item, wall in track.timeline.drain():
                            self._deliver(track, item, wall)
                    self._close(participant, "idle")
                else:
                    self._ask_keyframe(participant)
            elif participant.pending:
                self._open(participant)
        # Before the first sitting there is no folder yet, and nothing to write.
        if now >= self._next_disk_check and (self._recording or self.folder.exists()):
            self._check_disk()

    def _check_disk(self) -> None:
        self._next_disk_check = time.monotonic() + self.settings.disk_check_seconds
        alert = self._disk.check(self.hearing_id)
        if alert is not None:
            self._report.alert(alert)
