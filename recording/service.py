"""Recording for a whole server: one recorder per hearing, following each hearing's lifecycle.

The service is the media node's tap for recording: it hands each published track to
the recorder of its hearing. It starts that recorder when the hearing goes in
session, pauses it at a recess, resumes it, and stops it at adjournment, after which
it makes the playback set (off the live path). At start-up it closes the files a
crash left unfinished, and picks up hearings that were in session.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from hearing.audit import AuditLog
from hearing.chain import Signer
from hearing.clock import HearingClock
from hearing.lifecycle import HearingState
from hearing.model import Hearing
from hearing.tasks import TaskSet

from .alerts import RecordingAlert
from .playback import make_playback_set
from .recorder import PublishedTrack, Recorder, RecorderState, RecordingSink
from .recovery import recover
from .settings import RecordingSettings

__all__ = ["RecordingService"]

log = logging.getLogger(__name__)

KeyframeRequest = Callable[[str, str], None]
"""(hearing_id, participant_id): ask the participant's camera for a keyframe."""


class RecordingService:
    """Every hearing's recorder, created and closed in one place."""

    def __init__(
        self,
        hearings_dir: Path,
        settings: RecordingSettings,
        *,
        on_alert: Callable[[RecordingAlert], None],
        request_keyframe: KeyframeRequest,
        sign: Signer | None = None,
    ) -> None:
        """`sign`: the court's key, signing the audit entries recording writes."""
        self._dir = hearings_dir
        self._sign = sign
        self._settings = settings
        self._on_alert = on_alert
        self._request_keyframe = request_keyframe
        self._recorders: dict[str, Recorder] = {}
        self._tasks = TaskSet("recording")
        self._finishing: dict[str, asyncio.Task[None]] = {}  # playback sets being made

    # -- the media tap ------------------------------------------------------------

    def track_started(self, track: PublishedTrack) -> RecordingSink | None:
        # A track may start before the hearing sits (participants admitted while it is
        # open): its recorder then exists, idle, and keeps frames only once in session.
        recorder = self._recorders.get(track.hearing_id)
        if recorder is None:
            recorder = self._recorder(track.hearing_id, HearingClock())
        return recorder.track_started(track)

    # -- lifecycle ----------------------------------------------------------------

    async def recover_all(self, hearings: Iterable[Hearing]) -> None:
        """Close what a crash left unfinished, and resume recording hearings in session."""
        for hearing in hearings:
            folder = self._dir / hearing.id
            recovered = await recover(folder, AuditLog(folder / "audit.jsonl", sign=self._sign))
            if recovered:
                log.warning(
                    "recovered %d unfinished recording(s) of %s", len(recovered), hearing.id
                )
            if hearing.state in (HearingState.IN_SESSION, HearingState.RECESS):
                await self.follow(hearing)
            elif hearing.state.final and self._unindexed(folder):
                # Ended, but the process died before the playback set and index were made.
                task = self._tasks.spawn(self._playback(hearing.id), name=f"playback {hearing.id}")
                self._finishing[hearing.id] = task

    @staticmethod
    def _unindexed(folder: Path) -> bool:
        recordings = folder / "recordings"
        return recordings.is_dir() and not (recordings / "index.json").exists()

    async def follow(self, hearing: Hearing) -> None:
        """Bring the hearing's recorder in line with the hearing's state."""
        recorder = self._recorders.get(hearing.id)
        state = hearing.state
        if recorder is None:
            if state not in (HearingState.IN_SESSION, HearingState.RECESS):
                return
            recorder = self._recorder(hearing.id, hearing.clock)
        if state is HearingState.IN_SESSION:
            if recorder.state is RecorderState.IDLE:
                await recorder.start()
            elif recorder.state is RecorderState.PAUSED:
                await recorder.resume()
        elif state is HearingState.RECESS and recorder.state is RecorderState.RECORDING:
            await recorder.pause()
        elif state.final:
            del self._recorders[hearing.id]
            if recorder.state in (RecorderState.RECORDING, RecorderState.PAUSED):
                await recorder.stop()
            await recorder.aclose()
            task = self._tasks.spawn(self._playback(hearing.id), name=f"playback {hearing.id}")
            self._finishing[hearing.id] = task

    async def finished(self, hearing_id: str) -> None:
        """Return once the ended hearing's files are closed and its playback set and
        index are written (or their making failed, which is in the audit log)."""
        task = self._finishing.pop(hearing_id, None)
        if task is not None:
            await asyncio.wait([task])

    def recorder(self, hearing_id: str) -> Recorder | None:
        return self._recorders.get(hearing_id)

    async def close(self) -> None:
        """Close every recorder (files flushed and closed) and finish playback sets."""
        recorders, self._recorders = list(self._recorders.values()), {}
        for recorder in recorders:
            await recorder.aclose()
        await self._tasks.wait()  # playback sets being made are finished, not cut off

    def _recorder(self, hearing_id: str, clock: HearingClock) -> Recorder:
        folder = self._dir / hearing_id
        recorder = Recorder(
            folder,
            hearing_id,
            settings=self._settings,
            clock=clock,
            audit=AuditLog(folder / "audit.jsonl", sign=self._sign),
            on_alert=self._on_alert,
            on_keyframe_request=lambda track: self._request_keyframe(
                track.hearing_id, track.participant_id
            ),
        )
        self._recorders[hearing_id] = recorder
        return recorder

    async def _playback(self, hearing_id: str) -> None:
        try:
            made = await make_playback_set(self._dir / hearing_id)
        except Exception:
            log.exception("the playback set of %s could not be made", hearing_id)
            audit = AuditLog(self._dir / hearing_id / "audit.jsonl", sign=self._sign)
            await asyncio.to_thread(audit.record, "recorder", "playback_failed", target=hearing_id)
            raise
        log.info("playback set of %s: %d files", hearing_id, len(made.files))
