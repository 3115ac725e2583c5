"""A Socket.IO test client that records every event it receives and lets a test wait for one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import socketio

__all__ = ["SioClient"]

Predicate = Callable[[Any], bool]


class SioClient:
    """A participant's connection to `/hearing`, for tests."""

    def __init__(
        self, base_url: str, token: str | None, *, auth: dict[str, Any] | None = None
    ) -> None:
        """`auth`: more fields for the handshake's auth (`{"desk": True}` for a desk)."""
        self.base_url = base_url
        self.token = token
        self.extra_auth = auth or {}
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self.connect_error: Any = None
        self._changed = asyncio.Condition()
        self.client.on("*", self._record, namespace="/hearing")
        self.client.on("connect_error", self._on_connect_error, namespace="/hearing")
        self.client.on("disconnect", self._on_disconnect, namespace="/hearing")

    async def _record(self, event: str, data: Any = None) -> None:
        async with self._changed:
            self.events.append((event, data))
            self._changed.notify_all()

    async def _on_connect_error(self, data: Any) -> None:
        # The server's refusal: {message, data: {code, message, details}}
        self.connect_error = data.get("data", data) if isinstance(data, dict) else data
        await self._record("connect_error", data)

    async def _on_disconnect(self, reason: Any = None) -> None:
        await self._record("disconnect", reason)

    def on(self, event: str, handler: Callable[[Any], Any]) -> None:
        """Also call `handler(data)` for every `event` (it is recorded all the same)."""

        async def both(data: Any = None) -> None:
            await self._record(event, data)
            result = handler(data)
            if asyncio.iscoroutine(result):
                await result

        self.client.on(event, both, namespace="/hearing")

    async def connect(self) -> None:
        """Connect; raises socketio.exceptions.ConnectionError when refused."""
        await self.client.connect(
            self.base_url,
            namespaces=["/hearing"],
            transports=["websocket"],
            auth={"token": self.token, **self.extra_auth} if self.token is not None else None,
            wait_timeout=5,
        )

    async def call(self, event: str, data: Any = None) -> Any:
        return await self.client.call(event, data, namespace="/hearing", timeout=5)

    @classmethod
    async def presiding(cls, base_url: str, token: str) -> SioClient:
        """The judge's (or mediator's) connection, joined, the hearing opened and started."""
        client = cls(base_url, token)
        await client.connect()
        ack = await client.call("join")
        assert ack["ok"], ack
        await client.start_hearing()
        return client

    async def start_hearing(self) -> None:
        """As the judge or mediator: open the hearing and start it."""
        for action in ("open", "start"):
            ack = await self.call("lifecycle", {"action": action})
            assert ack["ok"], (action, ack)

    async def emit(self, event: str, data: Any = None) -> None:
        await self.client.emit(event, data, namespace="/hearing")

    def mark(self) -> int:
        """A point in the event history, for `wait_for(..., after=mark)`."""
        return len(self.events)

    async def wait_for(
        self,
        event: str,
        predicate: Predicate | None = None,
        *,
        timeout: float = 5.0,
        after: int = 0,
    ) -> Any:
        """The first recorded `event` (since `after`) whose payload satisfies `predicate`."""

        def found() -> tuple[bool, Any]:
            for name, data in self.events[after:]:
                if name == event and (predicate is None or predicate(data)):
                    return True, data
            return False, None

        async with asyncio.timeout(timeout):
            async with self._changed:
                while True:
                    ok, data = found()
                    if ok:
                        return data
                    await self._changed.wait()

    def received(self, event: str) -> list[Any]:
        return [data for name, data in self.events if name == event]

    async def close(self) -> None:
        await self.client.disconnect()
        await self.client.shutdown()
