"""Fixtures for every test: a private network, redis-server, the real app, leftover-task checks."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Playwright, async_playwright
from redis.asyncio import Redis

from tests.harness.browser import launch_chromium
from tests.harness.netns import interfaces, isolate_network
from tests.harness.redis_server import RedisServer
from tests.harness.server import RunningServer, start_server

StartServer = Callable[..., Awaitable[RunningServer]]


def pytest_configure(config: pytest.Config) -> None:
    # Everything the tests start (servers, redis-server, Chromium) lives in a network
    # namespace with only `lo`: no test can send traffic beyond this machine.
    if os.environ.get("HEARING_TEST_NETNS") != "isolated":
        try:
            isolate_network()
        except RuntimeError as e:
            raise pytest.UsageError(
                f"the tests run in a private network namespace and could not create one: {e}"
            ) from e
        os.environ["HEARING_TEST_NETNS"] = "isolated"
    assert interfaces() == ["lo"], interfaces()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
async def redis_url(redis_server: RedisServer) -> str:
    """The session's redis-server, emptied for this test."""
    return await _flushed(redis_server)


async def _flushed(redis_server: RedisServer) -> str:
    client = Redis.from_url(redis_server.url)
    await client.flushall()
    await client.aclose()
    return redis_server.url


@pytest.fixture(autouse=True)
async def no_leftover_tasks() -> AsyncIterator[None]:
    """Fail any test that leaves asyncio tasks running once its fixtures are torn down."""
    before = asyncio.all_tasks()
    yield
    current = asyncio.current_task()
    for _ in range(3):  # let tasks that are finishing finish
        await asyncio.sleep(0)
    left = [t for t in asyncio.all_tasks() - before if t is not current and not t.done()]
    if left:
        for t in left:
            t.cancel()
        await asyncio.gather(*left, return_exceptions=True)
        pytest.fail(f"test left {len(left)} task(s) running: {[t.get_coro() for t in left]}")


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[StartServer]:
    """Start real servers (any number, sharing or not a data dir); all closed after the test."""
    servers: list[RunningServer] = []

    async def _start(data_dir: Path | None = None, **kw: Any) -> RunningServer:
        server = await start_server(data_dir or tmp_path / "data", **kw)
        servers.append(server)
        return server

    yield _start
    for server in reversed(servers):
        await server.close()


@pytest.fixture
async def server(start: StartServer) -> RunningServer:
    """The embedded server: in-memory coordination, data dir under tmp_path."""
    return await start()


@pytest.fixture(params=["memory", "redis"])
async def any_server(request: pytest.FixtureRequest, start: StartServer) -> RunningServer:
    """The server on each coordination backend in turn."""
    if request.param == "redis":
        redis_server: RedisServer = request.getfixturevalue("redis_server")
        return await start(redis_url=await _flushed(redis_server))
    return await start()


@pytest.fixture
async def playwright() -> AsyncIterator[Playwright]:
    async with async_playwright() as p:
        yield p


@pytest.fixture
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    """A headless Chromium with a fake camera and microphone, on loopback only."""
    chromium = await launch_chromium(playwright)
    yield chromium
    await chromium.close()


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    """Where a test saves what a person would look at (screenshots): test-output/<test>/."""
    root = Path(str(request.config.rootpath)) / "test-output"
    name: str = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
