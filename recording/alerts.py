"""What the recorder tells the people running a hearing: low disk, failed writes, lost packets.

Alerts go to the callback given to the :class:`recording.Recorder` (the server
forwards them to the judge and the operator) and to the log; none is ever only
logged.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from hearing.audit import AuditLog

__all__ = ["AlertKind", "DiskWatch", "RecordingAlert", "Reporter"]

log = logging.getLogger(__name__)


class AlertKind(StrEnum):
    DISK_LOW = "disk_low"
    """Free space fell below the configured minimum: recording will fail if it runs out."""
    DISK_OK = "disk_ok"
    """Free space is back above the minimum."""
    WRITE_FAILED = "write_failed"
    """A recording file could not be written: part of the hearing is not being recorded."""
    FALLING_BEHIND = "falling_behind"
    """The writer could not keep up and packets were dropped."""
    UNSUPPORTED_TRACK = "unsupported_track"
    """A published track is in a codec the recorder cannot store as received."""


@dataclass(frozen=True, slots=True)
class RecordingAlert:
    """One event for the judge and the operator."""

    kind: AlertKind
    hearing_id: str
    message: str
    participant_id: str | None = None
    file: str | None = None
    free_bytes: int | None = None

    @property
    def severe(self) -> bool:
        return self.kind is not AlertKind.DISK_OK


class DiskWatch:
    """Checks the free space of the recordings' file system against a minimum."""

    def __init__(self, folder: Path, min_free_bytes: int) -> None:
        self.folder = folder
        self.min_free_bytes = min_free_bytes
        self.low = False
        self._unreadable = False

    def free_bytes(self) -> int:
        return shutil.disk_usage(self.folder).free

    def check(self, hearing_id: str) -> RecordingAlert | None:
        """An alert when free space crosses the minimum (either way), else None."""
        try:
            free = self.free_bytes()
        except OSError as e:
            # The folder itself is gone or unreadable: writing will fail and say so;
            # report it here too (once), since the next write may be a while away.
            if self._unreadable:
                return None
            self._unreadable = True
            return RecordingAlert(
                AlertKind.WRITE_FAILED,
                hearing_id,
                f"cannot check free space for recordings in {self.folder}: {e}",
            )
        self._unreadable = False
        # 10% hysteresis so a file system hovering at the limit does not flap.
        if not self.low and free < self.min_free_bytes:
            self.low = True
            return RecordingAlert(
                AlertKind.DISK_LOW,
                hearing_id,
                f"only {free / 2**30:.2f} GiB free for recordings "
                f"(minimum {self.min_free_bytes / 2**30:.2f} GiB): free space now or the "
                "recording will stop",
                free_bytes=free,
            )
        if self.low and free > self.min_free_bytes * 1.1:
            self.low = False
            return RecordingAlert(
                AlertKind.DISK_OK,
                hearing_id,
                f"{free / 2**30:.2f} GiB free for recordings again",
                free_bytes=free,
            )
        return None


class Reporter:
    """How the writer thread tells people: alerts (logged, then to the callback), audit entries."""

    def __init__(
        self,
        hearing_id: str,
        notify: Callable[[RecordingAlert], None],
        audit: AuditLog | None,
    ) -> None:
        self.hearing_id = hearing_id
        self._notify = notify
        self._audit = audit

    def alert(self, alert: RecordingAlert) -> None:
        level = logging.ERROR if alert.severe else logging.INFO
        if alert.kind is AlertKind.DISK_LOW:
            level = logging.WARNING
        log.log(level, "recording alert %s for %s: %s", alert.kind, self.hearing_id, alert.message)
        try:
            self._notify(alert)
        except Exception:
            log.exception("could not deliver recording alert %s", alert.kind)

    def audit(
        self,
        action: str,
        *,
        clock: float | None,
        target: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """An audit entry by the recorder, at hearing-clock `clock`."""
        if self._audit is None:
            return
        try:
            self._audit.record("recorder", action, target=target, details=details, clock=clock)
        except Exception as e:  # the write errors this likely comes with are alerted
            log.error("cannot write %s to the audit log of %s: %s", action, self.hearing_id, e)

    def write_failed(
        self,
        participant_id: str,
        file: str | None,
        error: Exception,
        retry_seconds: float,
        clock: float | None,
    ) -> None:
        """A participant's file could not be written: alert, log with the traceback, audit."""
        message = (
            f"recording of participant {participant_id} failed: cannot write "
            f"{file or 'its file'}: {error}; retrying in {retry_seconds:g} s"
        )
        log.debug("write error in the recording of %s", self.hearing_id, exc_info=error)
        self.alert(
            RecordingAlert(
                AlertKind.WRITE_FAILED,
                self.hearing_id,
                message,
                participant_id=participant_id,
                file=file,
            )
        )
        self.audit(
            "recording_failed",
            clock=clock,
            target=participant_id,
            details={"file": file, "error": str(error)},
        )
