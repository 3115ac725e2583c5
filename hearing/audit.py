"""The hearing's audit log: every action and its outcome, hash-chained in `audit.jsonl`."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from .chain import ChainedLog, Signer

__all__ = ["AuditLog", "Outcome"]


class Outcome(StrEnum):
    DONE = "done"
    REFUSED = "refused"
    FAILED = "failed"


class AuditLog:
    """Appends audit entries (time, actor, action, target, outcome, details) to one hearing."""

    def __init__(self, path: Path, *, sign: Signer | None = None) -> None:
        """`sign`: sign every entry with the court's key (those after the seal must be)."""
        self._log = ChainedLog(path)
        self._sign = sign

    @property
    def path(self) -> Path:
        return self._log.path

    def record(
        self,
        actor: str,
        action: str,
        *,
        target: str | None = None,
        outcome: Outcome = Outcome.DONE,
        details: dict[str, Any] | None = None,
        clock: float | None = None,
    ) -> dict[str, Any]:
        """Durably append one entry and return it (blocking: call from a worker thread).

        `clock` is the hearing clock (seconds in session) at the time of the action.
        """
        return self._log.append(
            {
                "time": datetime.now(UTC).isoformat(),
                "clock": None if clock is None else round(clock, 3),
                "actor": actor,
                "action": action,
                "target": target,
                "outcome": outcome.value,
                "details": details or {},
            },
            sign=self._sign,
        )

    def entries(self) -> list[dict[str, Any]]:
        return list(self._log.entries())

    def verify(self) -> int:
        """Verify the chain; return the number of entries."""
        return self._log.verify().seq
