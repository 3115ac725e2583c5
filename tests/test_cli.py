"""The `hearing` command as an operator uses it: help, create, and serve across a restart."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from tests.harness.redis_server import free_port
from tests.harness.server import hearing_body

HEARING = [sys.executable, "-m", "hearing.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HEARING, *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def test_help_explains_each_command_and_flag() -> None:
    top = run("--help")
    assert top.returncode == 0
    assert "serve" in top.stdout and "create" in top.stdout and "HEARING_" in top.stdout
    serve = run("serve", "--help")
    for flag in ("--host", "--port", "--data-dir", "--redis-url", "--admin-token",
                 "--advertise-ip", "--public-url"):  # fmt: skip
        assert flag in serve.stdout
    assert "Redis URL" in serve.stdout
    assert "create a demo hearing" in run("create", "--help").stdout


def test_create_from_a_file_prints_links(tmp_path: Path) -> None:
    spec = tmp_path / "hearing.yaml"
    spec.write_text(
        "case_number: 2026-YAML-1\ntitle: From YAML\nscheduled_start: 2026-12-01T09:00:00+09:00\n"
        "participants:\n  - {id: j, display_name: Judge Y, role: judge}\n"
        "  - {id: p, display_name: 박서준, role: party}\n"
    )
    out = run("create", str(spec), "--data-dir", str(tmp_path / "data"), "--json")
    assert out.returncode == 0, out.stderr
    links = json.loads(out.stdout)
    assert [(link["participant_id"], link["display_name"]) for link in links["links"]] == [
        ("j", "Judge Y"), ("p", "박서준")]  # fmt: skip
    assert (tmp_path / "data" / "hearings" / links["hearing_id"] / "hearing.json").is_file()


def test_create_refuses_a_bad_file_clearly(tmp_path: Path) -> None:
    spec = tmp_path / "bad.json"
    spec.write_text(json.dumps({"case_number": "1", "title": "t"}))
    out = run("create", str(spec), "--data-dir", str(tmp_path / "data"))
    assert out.returncode == 2
    assert "scheduled_start: Field required" in out.stderr
    assert not (tmp_path / "data" / "hearings").exists()


@asynccontextmanager
async def serving(data_dir: Path, port: int) -> AsyncIterator[str]:
    env = {**os.environ, "HEARING_DATA_DIR": str(data_dir), "HEARING_PORT": str(port)}
    process = await asyncio.create_subprocess_exec(
        *HEARING, "serve", "--host", "127.0.0.1", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        assert process.stdout is not None
        banner = await asyncio.wait_for(process.stdout.readline(), 30)
        assert url.encode() in banner, banner
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(url + "/healthz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 30)


async def test_serve_keeps_hearings_across_a_restart(tmp_path: Path) -> None:
    data, port = tmp_path / "data", free_port()
    created = run("create", "--demo", "--data-dir", str(data), "--json")
    assert created.returncode == 0, created.stderr
    demo_id = json.loads(created.stdout)["hearing_id"]
    async with serving(data, port) as url:
        admin = {"Authorization": "Bearer " + (data / "admin.token").read_text().strip()}
        async with aiohttp.ClientSession(headers=admin) as http:
            async with http.post(url + "/api/v1/hearings", json=hearing_body(id="kept")) as r:
                assert r.status == 201
    async with serving(data, port) as url:
        async with aiohttp.ClientSession(headers=admin) as http:
            async with http.get(url + "/api/v1/hearings") as r:
                ids = sorted(h["id"] for h in (await r.json())["hearings"])
    assert ids == sorted(["kept", demo_id])
