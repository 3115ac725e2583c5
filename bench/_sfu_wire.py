"""How the benchmark processes talk: a control pipe to the orchestrator, JSON lines to the node."""

from __future__ import annotations

import asyncio
import json
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["Control", "read_message", "write_message"]

Message = dict[str, Any]


async def write_message(writer: asyncio.StreamWriter, message: Message) -> None:
    writer.write(json.dumps(message).encode() + b"\n")
    await writer.drain()


async def read_message(reader: asyncio.StreamReader) -> Message | None:
    """The next message, or None once the other side has closed."""
    line = await reader.readline()
    if not line:
        return None
    message: Message = json.loads(line)
    return message


class Control:
    """A child process's pipe to the orchestrator, read from the event loop (no thread)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._messages: asyncio.Queue[tuple[Any, ...] | None] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(conn.fileno(), self._readable)

    def _readable(self) -> None:
        try:
            while self._conn.poll():
                self._messages.put_nowait(self._conn.recv())
        except (EOFError, OSError):  # the orchestrator is gone
            self._loop.remove_reader(self._conn.fileno())
            self._messages.put_nowait(None)

    async def get(self) -> tuple[Any, ...] | None:
        """The next request; None if the orchestrator went away."""
        return await self._messages.get()

    def send(self, *message: Any) -> None:
        self._conn.send(message)

    def close(self) -> None:
        self._loop.remove_reader(self._conn.fileno())
