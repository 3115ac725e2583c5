"""The Socket.IO server, with every background task it starts owned and awaited on close.

engineio starts its ping loops and the Redis manager's listener with bare
`ensure_future`; here they go into a TaskSet so shutting the server down leaves
nothing running.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import engineio
import socketio

from hearing.tasks import TaskSet

__all__ = ["SocketServer"]


class _OwnedEngineIO(engineio.AsyncServer):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tasks = TaskSet("engineio")

    def start_background_task(self, target: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self.tasks.spawn(target(*args, **kwargs))


class SocketServer(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server whose background tasks are cancelled and awaited by `close()`."""

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return _OwnedEngineIO

    async def close(self) -> None:
        await self.shutdown()
        await self.eio.tasks.cancel_and_wait()
