"""A browser participant's fake camera and microphone are recorded to playable WebM files."""

from __future__ import annotations

import asyncio
from pathlib import Path

import av
from playwright.async_api import Browser, expect

from tests.harness.server import RunningServer
from tests.harness.sio import SioClient


async def test_a_browser_participant_is_recorded(
    server: RunningServer, browser: Browser, tmp_path: Path
) -> None:
    participants = [{"id": "judge", "display_name": "Judge", "role": "judge"},
                    {"id": "alice", "display_name": "Alice", "role": "party"}]  # fmt: skip
    hearing = await server.create_hearing(participants=participants, lobby=False)
    hid = hearing["id"]
    tokens = await server.links(hid)
    judge = SioClient(server.url, tokens["judge"])
    await judge.connect()
    await judge.call("join")
    await judge.call("lifecycle", {"action": "open"})

    context = await browser.new_context(viewport={"width": 800, "height": 700})
    page = await context.new_page()
    await page.goto(f"{server.url}/join#token={tokens['alice']}")
    await page.wait_for_function(
        "document.querySelector('[data-testid=preview-video]').videoWidth > 0"
    )
    await page.get_by_test_id("join-button").click()
    await expect(page.get_by_test_id("leave-button")).to_be_visible()

    async def publishing() -> bool:
        _, report = await server.request("GET", f"/api/v1/hearings/{hid}/media")
        alice = [p for p in report["participants"] if p["participant_id"] == "alice"]
        return bool(alice) and alice[0]["publishing"] and len(alice[0]["tracks"]) == 2

    async with asyncio.timeout(20):
        while not await publishing():
            await asyncio.sleep(0.2)
    assert (await judge.call("lifecycle", {"action": "start"}))["ok"]
    await asyncio.sleep(4.0)  # four seconds of hearing on the record
    assert (await judge.call("lifecycle", {"action": "adjourn"}))["ok"]
    await context.close()
    await judge.close()

    async with asyncio.timeout(30):
        while True:
            _, listing = await server.request("GET", f"/api/v1/hearings/{hid}/recordings")
            if listing["indexed"]:
                break
            await asyncio.sleep(0.2)
    segments = [f for f in listing["files"] if f["role"] == "segment"]
    assert [f["participant_id"] for f in segments] == ["alice"]
    assert abs(segments[0]["duration"] - 4.0) < 1.0, segments
    path = server.settings.data_dir / "hearings" / hid / "recordings" / segments[0]["file"]
    assert path.suffix == ".webm"
    frames = {"audio": 0, "video": 0}
    with av.open(str(path)) as container:
        kinds = {s.type for s in container.streams}
        assert kinds == {"audio", "video"}
        video = container.streams.video[0]
        assert (video.codec_context.name, video.width, video.height) == ("vp8", 640, 480)
        for packet in container.demux():
            for _ in packet.decode():
                frames[packet.stream.type] += 1
    assert frames["video"] > 40 and frames["audio"] > 100, frames
