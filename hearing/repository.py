"""Durable hearing definitions: one folder per hearing under `<data dir>/hearings/`.

All methods block on disk I/O; async callers run them in a worker thread. Changes are
read-modify-write under an exclusive file lock so several processes can share a data
dir, and `hearing.json` is replaced atomically (write, fsync, rename).
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .audit import AuditLog
from .chain import Signer
from .errors import Conflict, HearingError, NotFound, Reason
from .model import Hearing, NewHearing

__all__ = ["HearingRepository", "RecordCorrupt"]

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class RecordCorrupt(HearingError):
    """A stored hearing file that cannot be read back: an operator must look at it."""

    code = "record_corrupt"


class HearingRepository:
    """Creates, reads and changes the hearings stored in a data dir."""

    def __init__(self, data_dir: Path, *, sign: Signer | None = None) -> None:
        """`sign`: the court's key, signing every audit entry (those after a seal must be)."""
        self.root = data_dir / "hearings"
        self._sign = sign

    def folder(self, hearing_id: str) -> Path:
        if not _ID.match(hearing_id):
            raise _no_hearing(hearing_id)
        return self.root / hearing_id

    def audit(self, hearing_id: str) -> AuditLog:
        folder = self.folder(hearing_id)
        if not folder.is_dir():
            raise _no_hearing(hearing_id)
        return AuditLog(folder / "audit.jsonl", sign=self._sign)

    def create(self, request: NewHearing, *, actor: str) -> Hearing:
        hearing = Hearing.create(request)
        folder = self.folder(hearing.id)
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            folder.mkdir()
        except FileExistsError:
            raise Conflict(
                f"a hearing with id {hearing.id!r} already exists",
                details={"hearing_id": hearing.id},
                reason=Reason.HEARING_EXISTS,
            ) from None
        with self._locked(hearing.id):
            self._write(hearing)
        self.audit(hearing.id).record(
            actor,
            "hearing_created",
            target=hearing.id,
            details={"case_number": hearing.case_number},
        )
        return hearing

    def get(self, hearing_id: str) -> Hearing:
        path = self.folder(hearing_id) / "hearing.json"
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise _no_hearing(hearing_id) from None
        try:
            return Hearing.model_validate_json(raw)
        except ValidationError as e:
            raise RecordCorrupt(
                f"the stored definition of hearing {hearing_id!r} is unreadable: {path}",
                details={"hearing_id": hearing_id, "errors": e.error_count()},
            ) from e

    def list(self) -> list[Hearing]:
        return sorted(self._all(), key=lambda h: (h.scheduled_start, h.id))

    def change(
        self,
        hearing_id: str,
        change: Callable[[Hearing], Hearing],
        *,
        actor: str,
        action: str,
        target: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> Hearing:
        """Apply `change` under the hearing's lock, store the result and audit it.

        If `change` raises, nothing is stored and the error propagates.
        """
        with self._locked(hearing_id):
            hearing = change(self.get(hearing_id))
            self._write(hearing)
        self.audit(hearing_id).record(
            actor,
            action,
            target=target or hearing_id,
            details=details,
            clock=hearing.clock.at(time.time()),
        )
        return hearing

    def _all(self) -> Iterator[Hearing]:
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if (folder / "hearing.json").exists():
                yield self.get(folder.name)

    @contextmanager
    def _locked(self, hearing_id: str) -> Iterator[None]:
        folder = self.folder(hearing_id)
        if not folder.is_dir():
            raise _no_hearing(hearing_id)
        with open(folder / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write(self, hearing: Hearing) -> None:
        folder = self.folder(hearing.id)
        tmp = folder / "hearing.json.tmp"
        with open(tmp, "wb") as f:
            f.write(hearing.model_dump_json(indent=2).encode())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, folder / "hearing.json")
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _no_hearing(hearing_id: str) -> NotFound:
    return NotFound(
        f"no hearing {hearing_id!r}",
        details={"hearing_id": hearing_id},
        reason=Reason.HEARING_NOT_FOUND,
    )
