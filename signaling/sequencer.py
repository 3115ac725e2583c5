"""Handle the events of one hearing one at a time, in the order they arrive.

python-socketio runs with `async_handlers=False`, so each connection's events are
already handled one after another in the order the client sent them. Events of
different connections to the same hearing would still interleave at every await
(Redis, disk); the sequencer gives each hearing a FIFO lock so that a roster change
and its broadcast finish before the next event of that hearing starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

__all__ = ["Sequencer"]


class Sequencer:
    """Per-hearing FIFO locks, dropped when no one holds or waits for them."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def turn(self, hearing_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(hearing_id, asyncio.Lock())
        self._users[hearing_id] = self._users.get(hearing_id, 0) + 1
        try:
            async with lock:  # asyncio.Lock wakes waiters in FIFO order
                yield
        finally:
            self._users[hearing_id] -= 1
            if not self._users[hearing_id]:
                del self._users[hearing_id]
                del self._locks[hearing_id]

    def __len__(self) -> int:
        return len(self._locks)
