"""The clerk's desk, as a clerk uses it in a real hearing: the transcript appears as people
speak, with their names and hearing-clock times; a correction shows as a redline and
reaches every download while the original stays in the record; after adjournment a
click on a line plays every recording from that moment, in step."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import docx
import pytest
from playwright.async_api import Browser, Page, Playwright, expect

from tests.browser.axe import assert_accessible
from tests.browser.desk_hearing import DeskHearing, Voices, line
from tests.harness.browser import launch_chromium
from tests.harness.server import RunningServer

NAMES = {"judge": "재판장 한", "clerk": "Clerk Yoon", "kim": "김민지"}
CORRECTED = "증거 제출하겠습니다 (갑 제1호증)"


@pytest.fixture
async def party_browser(playwright: Playwright, voices: Voices) -> AsyncIterator[Browser]:
    """A Chromium whose microphone speaks the party's sentence."""
    chromium = await launch_chromium(playwright, fake_audio=voices.party)
    yield chromium
    await chromium.close()


async def download(desk: Page, fmt: str) -> bytes:
    async with desk.expect_download() as started:
        await desk.get_by_test_id(f"download-{fmt}").click()
    got = await started.value
    assert got.suggested_filename.endswith(f"-transcript.{fmt}")
    path = await got.path()
    return Path(path).read_bytes()


MEDIA_STATE = """() => ({
  playhead: Number(document.querySelector('[data-testid=position]').value),
  tracks: [...document.querySelectorAll('[data-testid=recording-media]')].map((m) => ({
    participant: m.dataset.participantId, offset: Number(m.dataset.offset),
    duration: Number(m.dataset.duration), time: m.currentTime, paused: m.paused,
    hidden: m.hidden,
  })),
})"""


async def played_from(desk: Page, seconds: float) -> list[dict[str, Any]]:
    """Every recording element once the player is running from `seconds`: the ones that
    cover the moment play, each at its own offset from it; the others wait, hidden."""
    await desk.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid=recording-media]')]
             .some((m) => !m.paused && m.currentTime > 0)""",
        timeout=30_000,
    )
    state: dict[str, Any] = await desk.evaluate(MEDIA_STATE)
    playhead = state["playhead"]
    assert seconds - 0.1 <= playhead <= seconds + 5, (seconds, state)
    covering = []
    for track in state["tracks"]:
        start, end = track["offset"], track["offset"] + track["duration"]
        if start <= playhead < end - 0.3:
            # In step: the file is at the same hearing-clock moment as the playhead.
            assert abs(track["offset"] + track["time"] - playhead) < 0.75, (track, playhead)
            assert not track["hidden"], track
            covering.append(track)
        elif not start - 0.3 <= playhead <= end:
            assert track["paused"] and track["hidden"], (track, playhead)
    return covering


async def test_the_clerk_follows_corrects_downloads_and_replays_the_hearing(
    server: RunningServer, browser: Browser, party_browser: Browser, voices: Voices,
    output_dir: Path,
) -> None:  # fmt: skip
    hearing = await DeskHearing.create(server, voices, NAMES)
    try:
        desk = await hearing.clerk_opens_desk(browser)
        await expect(desk.get_by_test_id("hearing-title")).to_have_text("Kim v. Park")
        await expect(desk.get_by_test_id("desk-state")).to_have_text("Open – not started")
        await expect(desk.get_by_test_id("live-status")).to_have_text(
            "Live: lines appear as they are said."
        )
        await expect(desk.get_by_test_id("transcript-empty")).to_be_visible()

        # Live finals, with the speakers' names and hearing-clock times.
        await hearing.judge_speaks(desk)
        judge_line = line(desk, "judge").first
        await expect(judge_line.get_by_test_id("line-speaker")).to_have_text(NAMES["judge"])
        await expect(judge_line).to_contain_text("(Judge)")
        await expect(judge_line).to_contain_text("0:00:0")
        await hearing.party_speaks(party_browser, desk, locale="ko-KR")
        kim_line = line(desk, "kim").first
        await expect(kim_line.get_by_test_id("line-speaker")).to_have_text(NAMES["kim"])
        original = (await kim_line.get_by_test_id("line-text").text_content() or "").strip()
        assert original
        await hearing.party_leaves()
        await assert_accessible(desk, "desk during the hearing")

        # A correction, shown as a redline: the recognised words struck, the correction in.
        await kim_line.get_by_test_id("line-correct").click()
        editor = kim_line.get_by_test_id("line-editor")
        await editor.get_by_label("Corrected text").fill(CORRECTED)
        await editor.get_by_role("button", name="Save correction").click()
        await expect(kim_line.get_by_test_id("line-original")).to_have_text(original)
        await expect(kim_line.get_by_test_id("line-correction")).to_have_text(CORRECTED)
        await expect(kim_line.get_by_test_id("correction-note")).to_contain_text(
            "Corrected by Clerk Yoon"
        )
        await expect(desk.get_by_test_id("desk-status")).to_have_text(
            "Correction saved. The original wording stays in the record."
        )
        seq = int(await kim_line.get_attribute("data-seq") or -1)

        # Every download works and carries the correction; the JSON keeps the original.
        data = json.loads(await download(desk, "json"))
        corrected = next(s for s in data["segments"] if s["seq"] == seq)
        assert corrected["text"] == CORRECTED and corrected["original_text"] == original
        assert [c["by"] for c in corrected["corrections"]] == ["clerk"]
        assert corrected["speaker"] == NAMES["kim"]
        txt = (await download(desk, "txt")).decode("utf-8")
        assert f"{NAMES['kim']} (party): {CORRECTED}" in txt
        assert f"{NAMES['judge']} (judge):" in txt and "Kim v. Park" in txt
        for fmt in ("vtt", "srt"):
            assert CORRECTED in (await download(desk, fmt)).decode("utf-8"), fmt
        document = docx.Document(io.BytesIO(await download(desk, "docx")))
        assert any(CORRECTED in p.text for p in document.paragraphs)

        # After adjournment: the recordings, in step with the transcript.
        await hearing.adjourn()
        await expect(desk.get_by_test_id("desk-state")).to_have_text("Adjourned")
        await expect(desk.get_by_test_id("live-status")).to_have_text(
            "The hearing is over: this is the whole transcript."
        )
        await expect(desk.get_by_test_id("player")).to_be_visible(timeout=90_000)
        tiles = desk.get_by_test_id("recording-tile")
        await expect(tiles).to_have_count(3)  # judge, clerk, party
        await expect(desk.get_by_test_id("recording-files")).to_contain_text(
            "Everyone's sound, mixed"
        )

        # The judge spoke before the party joined: her recording waits, hidden.
        judge_at = float(await judge_line.get_attribute("data-start") or -1)
        await judge_line.get_by_test_id("line-seek").click()
        covering = await played_from(desk, judge_at)
        assert {t["participant"] for t in covering} == {"judge", "clerk"}, covering
        kim_tile = desk.locator('[data-testid="recording-tile"][data-participant-id="kim"]')
        await expect(kim_tile).to_contain_text("Not recorded at this moment")
        await expect(judge_line).to_have_attribute("aria-current", "true")

        # The party's line: her recording joins in, at the same moment as the others.
        kim_at = float(await kim_line.get_attribute("data-start") or -1)
        await kim_line.get_by_test_id("line-seek").click()
        covering = await played_from(desk, kim_at)
        assert {t["participant"] for t in covering} == {"judge", "clerk", "kim"}, covering

        await desk.get_by_test_id("play-button").click()  # pause, all together
        await desk.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=recording-media]')]"
            ".every((m) => m.paused)"
        )
        await expect(desk.get_by_test_id("play-button")).to_have_text("Play")

        # The record is sealed, and the desk says it is intact, with the key's fingerprint.
        seal = desk.get_by_test_id("seal")
        await expect(seal.get_by_test_id("seal-status")).to_contain_text(
            "files are exactly as sealed", timeout=60_000
        )
        await expect(seal).to_have_attribute("data-seal", "verified")
        await expect(seal.get_by_test_id("seal-details")).to_contain_text(
            "added after the seal"  # the correction came before; the seal is audited
        )
        await expect(seal.get_by_test_id("seal-fingerprint")).to_contain_text("Signed by")
        async with desk.expect_download() as manifest:
            await seal.get_by_test_id("seal-download").click()
        saved = Path(await (await manifest.value).path())
        assert json.loads(saved.read_text())["format"] == "hearing-record-seal/1"
        await desk.screenshot(path=str(output_dir / "desk-after-adjournment.png"), full_page=True)
        await assert_accessible(desk, "desk after adjournment")
        assert hearing.clerk is not None
        hearing.clerk.assert_no_errors()
    finally:
        await hearing.close()
