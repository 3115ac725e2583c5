"""Recording follows the hearing: aiortc participants over the real server; the clerk
downloads playable files, segmented at the recess, indexed and hashed after adjournment."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import aiohttp
import av

from tests.harness.rtc_client import RtcParticipant
from tests.harness.server import RunningServer

PEOPLE = [{"id": "judge", "display_name": "Judge", "role": "judge"},
          {"id": "clerk", "display_name": "Clerk", "role": "clerk"},
          {"id": "alice", "display_name": "Alice", "role": "party"},
          {"id": "bob", "display_name": "Bob", "role": "party"}]  # fmt: skip


async def until(condition: Any, timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.1)


def decode(path: Path) -> dict[str, float]:
    """Decode every frame; seconds of audio and of video found."""
    found = {"audio": 0.0, "video": 0.0}
    with av.open(str(path)) as container:
        for stream in container.streams:
            last = 0.0
            for frame in container.decode(stream):
                if isinstance(frame, av.AudioFrame | av.VideoFrame) and frame.time is not None:
                    last = max(last, float(frame.time))
            found[stream.type] = last
            container.seek(0)
    return found


async def test_recording_follows_the_hearing(server: RunningServer, tmp_path: Path) -> None:
    hearing = await server.create_hearing(participants=PEOPLE, lobby=False)
    hid = hearing["id"]
    tokens = await server.links(hid)
    people = {pid: RtcParticipant(server.url, tokens[pid]) for pid in ("judge", "alice", "bob")}
    try:
        for p in people.values():
            await p.join()
        judge = people["judge"].sio
        assert (await judge.call("lifecycle", {"action": "open"}))["ok"]
        for pid in ("alice", "bob"):
            assert (await people[pid].publish())["ok"]
        await asyncio.sleep(1.0)  # in the lobby state (open): nothing may be recorded
        assert not list((server.settings.data_dir / "hearings" / hid).glob("recordings/*.webm"))
        for action, seconds in (("start", 3.0), ("recess", 1.0), ("resume", 2.0)):
            assert (await judge.call("lifecycle", {"action": action}))["ok"]
            await asyncio.sleep(seconds)  # the hearing runs: a stretch of recorded time
        # While the hearing runs, the clerk sees the files being written.
        clerk = tokens["clerk"]
        status, listing = await server.request("GET", f"/api/v1/hearings/{hid}/recordings",
                                               auth=clerk)  # fmt: skip
        assert status == 200 and not listing["indexed"]
        assert any(f["recording"] for f in listing["files"]), listing
        assert (await judge.call("lifecycle", {"action": "adjourn"}))["ok"]
    finally:
        for p in people.values():
            await p.close()

    async def indexed() -> bool:
        _, body = await server.request("GET", f"/api/v1/hearings/{hid}/recordings", auth=clerk)
        return bool(body["indexed"])

    await until(indexed)
    _, listing = await server.request("GET", f"/api/v1/hearings/{hid}/recordings", auth=clerk)
    segments = [f for f in listing["files"] if f["role"] == "segment"]
    by_person = {pid: sorted((f for f in segments if f["participant_id"] == pid),
                             key=lambda f: f["offset"]) for pid in ("alice", "bob")}  # fmt: skip
    for pid, files in by_person.items():
        assert len(files) == 2, (pid, files)  # the recess splits the record in two
        first, second = files
        assert abs(first["duration"] - 3.0) < 0.6 and abs(second["duration"] - 2.0) < 0.6, files
        assert second["offset"] >= first["offset"] + first["duration"] - 0.3
    assert {f["role"] for f in listing["files"]} >= {"segment", "participant", "mixdown"}

    # Every file downloads, matches its hash, and decodes completely.
    async with aiohttp.ClientSession() as http:
        for f in listing["files"]:
            url = f"{server.url}/api/v1/hearings/{hid}/recordings/{f['file']}"
            async with http.get(url, headers={"Authorization": f"Bearer {clerk}"}) as r:
                assert r.status == 200, f
                data = await r.read()
            assert hashlib.sha256(data).hexdigest() == f["sha256"]
            path = tmp_path / Path(f["file"]).name
            path.write_bytes(data)
            found = decode(path)
            if f["role"] == "segment":
                assert found["video"] > 1.0 and found["audio"] > 1.0, (f, found)

    # A party may not download the record; nor may an officer of another hearing.
    status, body = await server.request("GET", f"/api/v1/hearings/{hid}/recordings",
                                        auth=tokens["alice"])  # fmt: skip
    assert status == 403 and body["error"]["code"] == "not_permitted"
    other = await server.create_hearing(participants=PEOPLE)
    other_clerk = (await server.links(other["id"]))["clerk"]
    status, _ = await server.request("GET", f"/api/v1/hearings/{hid}/recordings", auth=other_clerk)
    assert status == 403
    status, body = await server.request(
        "GET", f"/api/v1/hearings/{hid}/recordings/..%2F..%2Fsecret.key", auth=clerk
    )
    assert status == 404
