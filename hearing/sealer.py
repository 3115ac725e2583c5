"""Sealing each hearing's record when it is over: once its recordings and transcript are
complete, never before (a seal over a record still being written would be broken at once).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path

from .audit import AuditLog, Outcome
from .model import Hearing
from .seal import MANIFEST, SealKey, SealReport, seal_record, verify_record
from .tasks import TaskSet

__all__ = ["RecordSealer"]

log = logging.getLogger(__name__)

# Checking a record reads every byte of its recordings (gigabytes for a long hearing):
# at most this many at once, and asking again while one runs waits for that one.
CONCURRENT_CHECKS = 2

Completion = Callable[[str], Awaitable[None]]
"""completion(hearing_id): returns once that part of the ended hearing's record is final."""


class RecordSealer:
    """Writes each ended hearing's signed manifest (hearing/seal.py) and audits it.

    `after`: what must be complete first (the recordings and their index, the
    transcript's last segments). A failed seal is logged and audited, for the clerk to
    see; it is not retried over a record that may be damaged.
    """

    def __init__(
        self, hearings_dir: Path, key: SealKey, *, after: Sequence[Completion] = ()
    ) -> None:
        self._dir = hearings_dir
        self.key = key
        self._after = list(after)
        self._sealing: dict[str, asyncio.Task[None]] = {}
        self.failures: dict[str, str] = {}
        """hearing id -> why its record could not be sealed (in this process's life)."""
        self._tasks = TaskSet("sealer")
        self._checks: dict[str, asyncio.Task[SealReport]] = {}
        self._checking = asyncio.Semaphore(CONCURRENT_CHECKS)

    async def follow(self, hearing: Hearing) -> None:
        """A lifecycle listener: an adjourned or cancelled hearing gets sealed."""
        if hearing.state.final:
            self._start(hearing)

    async def seal_unsealed(self, hearings: Iterable[Hearing]) -> None:
        """At startup: seal what ended while no server was running to seal it (a crash)."""
        for hearing in hearings:
            if hearing.state.final and not (self._dir / hearing.id / MANIFEST).exists():
                self._start(hearing)

    async def sealed(self, hearing_id: str) -> None:
        """Return once a seal in progress for the hearing is done (at once if none is)."""
        task = self._sealing.get(hearing_id)
        if task is not None:
            await asyncio.wait([task])

    async def settled(self, hearing_id: str) -> bool:
        """Whether the ended hearing's record is final: sealed, or its sealing failed (by
        this process or another sharing the data dir; the audit log says)."""
        folder = self._dir / hearing_id
        if hearing_id in self._sealing:
            return False
        if (folder / MANIFEST).is_file() or hearing_id in self.failures:
            return True
        audit = AuditLog(folder / "audit.jsonl", sign=self.key.sign)
        entries = await asyncio.to_thread(audit.entries)
        return any(e.get("action") == "record_seal_failed" for e in entries)

    async def check(self, hearing_id: str) -> SealReport:
        """Check the hearing's record against its seal (after a seal in progress).

        A check already running for the hearing is shared, not repeated."""
        await self.sealed(hearing_id)
        task = self._checks.get(hearing_id)
        if task is None:
            task = self._tasks.spawn(self._check(hearing_id), name=f"check {hearing_id}")
            self._checks[hearing_id] = task
            task.add_done_callback(lambda _: self._checks.pop(hearing_id, None))
        # Shielded: a caller that gives up does not cancel the check others wait for.
        return await asyncio.shield(task)

    async def _check(self, hearing_id: str) -> SealReport:
        async with self._checking:
            folder = self._dir / hearing_id
            return await asyncio.to_thread(verify_record, folder, trusted_key=self.key.public_text)

    async def close(self) -> None:
        """Let seals in progress finish: a record is sealed whole or not at all."""
        await self._tasks.wait()

    def _start(self, hearing: Hearing) -> None:
        if hearing.id not in self._sealing:
            task = self._tasks.spawn(self._seal(hearing), name=f"seal {hearing.id}")
            self._sealing[hearing.id] = task
            task.add_done_callback(lambda _: self._sealing.pop(hearing.id, None))

    async def _seal(self, hearing: Hearing) -> None:
        folder = self._dir / hearing.id
        audit = AuditLog(folder / "audit.jsonl", sign=self.key.sign)
        for complete in self._after:
            await complete(hearing.id)
        try:
            digest = await asyncio.to_thread(self._seal_now, folder, hearing)
        except FileExistsError:
            return  # sealed already (by another process sharing the data dir)
        except Exception as e:
            log.exception("the record of %s could not be sealed", hearing.id)
            self.failures[hearing.id] = str(e)
            await asyncio.to_thread(
                audit.record, "server", "record_seal_failed", target=hearing.id,
                outcome=Outcome.FAILED, details={"error": str(e)},
            )  # fmt: skip
            return
        await asyncio.to_thread(
            audit.record, "server", "record_sealed", target=hearing.id,
            details={"manifest_sha256": digest, "key_fingerprint": self.key.fingerprint},
        )  # fmt: skip
        log.info("sealed the record of %s", hearing.id)

    def _seal_now(self, folder: Path, hearing: Hearing) -> str:
        """Seal (blocking); the SHA-256 of the manifest written."""
        seal_record(folder, self.key, hearing_id=hearing.id, case_number=hearing.case_number)
        return hashlib.sha256((folder / MANIFEST).read_bytes()).hexdigest()
