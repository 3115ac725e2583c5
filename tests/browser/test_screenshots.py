"""What people see, in English and in Chinese, from a running hearing: the party's
device check, the lobby, the hearing view (video tiles, captions, recording), the
judge's console and the clerk's desk; each checked with axe-core for serious or
critical violations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from signaling.keys import SIGNALING
from signaling.namespace import room_of
from tests.browser.axe import assert_accessible
from tests.browser.desk_hearing import DeskHearing, Voices
from tests.browser.participant import MEDIA_TIMEOUT_MS, join_links, open_participant
from tests.browser.screenshots import shot
from tests.harness.server import RunningServer
from tests.harness.sio import SioClient

CASES: dict[str, dict[str, Any]] = {
    "en": {
        "locale": "en-US",
        "hearing": {
            "case_number": "2026-CV-0042",
            "title": "Kim v. Park",
            "court": "Seoul District Court",
            # The hearing's language picks the transcription model; tests have the
            # Korean one only. The page's language is the browser's, set below.
            "language": "ko",
            "participants": [
                {"id": "judge", "display_name": "Judge Han", "role": "judge"},
                {"id": "alice", "display_name": "Alice Kim", "role": "party"},
                {"id": "carol", "display_name": "Carol Lee", "role": "counsel"},
                {"id": "bob", "display_name": "Bob Park", "role": "party"},
            ],
        },
        "captions": [
            ("judge", "Judge Han", "judge", "Please state your name for the record.", True),
            ("carol", "Carol Lee", "counsel", "Your Honour, my client is ready", False),
        ],
        "text": {
            "lobby": "You are in the waiting room",
            "console": "Judge's controls",
            "admit": "Admit",
            "open": "Open the hearing",
            "opened": "Open – not started",
            "start": "Start the hearing",
            "raise": "Raise hand",
            "in_session": "In session",
            "recording": "Recording",
            "media_ok": "Your browser found a way to send sound and video.",
        },
    },
    "zh": {
        "locale": "zh-CN",
        "hearing": {
            "case_number": "（2026）京0491民初123号",
            "title": "张三诉李四合同纠纷案",
            "court": "北京互联网法院",
            "language": "ko",
            "participants": [
                {"id": "judge", "display_name": "王法官", "role": "judge"},
                {"id": "alice", "display_name": "张三", "role": "party"},
                {"id": "carol", "display_name": "赵律师", "role": "counsel"},
                {"id": "bob", "display_name": "李四", "role": "party"},
            ],
        },
        "captions": [
            ("judge", "王法官", "judge", "现在开庭。请当事人陈述姓名。", True),
            ("alice", "张三", "party", "审判长好，我叫张三", False),
        ],
        "text": {
            "lobby": "您在等候室中",
            "console": "法官控制台",
            "admit": "准许进入",
            "open": "开放庭审",
            "opened": "已开放，尚未开庭",
            "start": "开庭",
            "raise": "举手",
            "in_session": "正在开庭",
            "recording": "正在录制",
            "media_ok": "您的浏览器能够发送声音和视频。",
        },
    },
}


async def video_playing(page: Page, participant_id: str) -> None:
    tile = page.locator(f'[data-testid="video-tile"][data-participant-id="{participant_id}"]')
    await expect(tile).to_be_visible(timeout=MEDIA_TIMEOUT_MS)
    await page.wait_for_function(
        "id => document.querySelector(`[data-testid=video-tile][data-participant-id=${id}] video`)"
        "?.videoWidth > 0",
        arg=participant_id,
        timeout=MEDIA_TIMEOUT_MS,
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_party_lobby_and_console_screens(
    lang: str, server: RunningServer, browser: Browser, output_dir: Path
) -> None:
    case = CASES[lang]
    text = case["text"]
    start = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    hearing = await server.create_hearing(**case["hearing"], scheduled_start=start)
    hid = hearing["id"]
    links = await join_links(server, hid)
    names = {p["id"]: p["display_name"] for p in case["hearing"]["participants"]}
    locale = case["locale"]

    # The party's device check, with the network verdict.
    alice = await open_participant(browser, links["alice"], locale=locale)
    ap = alice.page
    # The verdict's words depend on how busy the machine is (round-trip time); that
    # media can get through does not.
    await expect(ap.get_by_test_id("network-verdict")).to_be_visible(timeout=15_000)
    await expect(ap.get_by_test_id("network-result")).to_contain_text(text["media_ok"])
    await ap.wait_for_function("document.querySelector('#preview-video').videoWidth > 0")
    await shot(ap, output_dir / f"{lang}-1-party-device-check.png", full_page=True)
    await assert_accessible(ap, f"{lang} device check")

    judge = await open_participant(browser, links["judge"], locale=locale)
    jp = judge.page
    await judge.join()
    await expect(jp.get_by_role("heading", name=text["console"])).to_be_visible()
    await jp.get_by_role("button", name=text["open"]).click()
    await expect(jp.get_by_test_id("console-state")).to_have_text(text["opened"])

    # The lobby.
    await alice.join()
    await expect(ap.get_by_test_id("screen-lobby")).to_contain_text(text["lobby"])
    await shot(ap, output_dir / f"{lang}-2-party-lobby.png")
    await assert_accessible(ap, f"{lang} lobby")

    carol = await open_participant(browser, links["carol"], locale=locale)
    await carol.join()
    bob = SioClient(server.url, (await server.links(hid))["bob"])
    await bob.connect()
    assert (await bob.call("join"))["ok"]

    # The judge admits two of the three waiting and starts the hearing.
    for pid in ("alice", "carol"):
        entry = jp.locator(f'[data-testid="console-person"][data-participant-id="{pid}"]')
        await entry.get_by_role("button", name=f"{text['admit']} {names[pid]}").click()
        await expect(entry).to_have_attribute("data-presence", "admitted")
    await jp.get_by_role("button", name=text["start"], exact=True).click()
    await expect(ap.get_by_test_id("hearing-state")).to_have_text(text["in_session"])
    await expect(ap.get_by_test_id("recording-indicator")).to_have_text(text["recording"])
    await ap.get_by_role("button", name=text["raise"]).click()
    await expect(jp.get_by_test_id("hand-queue").locator("li")).to_have_count(1)

    # Live captions, as the transcription sends them.
    signaling = server.server.app[SIGNALING]
    for pid, speaker, role, words, final in case["captions"]:
        caption = {"participant_id": pid, "speaker_name": speaker, "role": role,
                   "text": words, "final": final, "start": 1.0, "end": 2.5}  # fmt: skip
        await signaling.emit("caption", caption, room=room_of(hid))
    captions = ap.get_by_test_id("captions")
    await expect(captions).to_contain_text(case["captions"][0][3])
    await expect(captions).to_contain_text(case["captions"][1][3])

    for pid in ("judge", "carol"):
        await video_playing(ap, pid)
    await shot(ap, output_dir / f"{lang}-3-party-hearing.png", full_page=True)
    await assert_accessible(ap, f"{lang} hearing view")

    await video_playing(jp, "alice")
    await expect(jp.get_by_test_id("console-lobby")).to_contain_text(names["bob"])
    await shot(jp, output_dir / f"{lang}-4-judge-console.png", full_page=True)
    await assert_accessible(jp, f"{lang} judge console")

    await bob.close()
    for participant in (alice, judge, carol):
        participant.assert_no_errors()
        await participant.close()


async def test_clerk_desk_screens(
    server: RunningServer, browser: Browser, voices: Voices, output_dir: Path
) -> None:
    """The clerk's desk in English and in Chinese, side by side on one real hearing:
    Korean speech transcribed live, a correction, then the recordings after adjournment."""
    names = {"judge": "재판장 한", "clerk": "Clerk Yoon", "kim": "김민지"}
    hearing = await DeskHearing.create(server, voices, names)
    try:
        desks = {"en": await hearing.clerk_opens_desk(browser, locale="en-US"),
                 "zh": await hearing.open_desk(browser, locale="zh-CN")}  # fmt: skip
        en, zh = desks["en"], desks["zh"]
        await expect(zh.get_by_test_id("live-status")).to_have_text("实时：发言内容将随时显示。")
        await hearing.judge_speaks(en)
        await hearing.party_speaks_once(voices, en)
        for page in desks.values():
            await expect(page.get_by_test_id("transcript-line")).to_have_count(2)

        # The clerk corrects the party's line on her desk; the other desk shows it too.
        party_line = en.locator('[data-testid="transcript-line"][data-participant-id="kim"]')
        await party_line.get_by_test_id("line-correct").click()
        await party_line.get_by_label("Corrected text").fill("증거를 제출하겠습니다.")
        await party_line.get_by_role("button", name="Save correction").click()
        for page in desks.values():
            await expect(page.get_by_test_id("line-correction")).to_have_text(
                "증거를 제출하겠습니다."
            )
        await expect(zh.get_by_test_id("correction-note")).to_contain_text("Clerk Yoon 更正于")

        for lang, page in desks.items():
            await shot(page, output_dir / f"{lang}-5-clerk-desk.png", full_page=True)
            await assert_accessible(page, f"{lang} clerk desk")

        await hearing.adjourn()
        for lang, page in desks.items():
            await expect(page.get_by_test_id("player")).to_be_visible(timeout=90_000)
            await page.locator('[data-participant-id="kim"] [data-testid="line-seek"]').click()
            await page.wait_for_function(
                "() => [...document.querySelectorAll('[data-testid=recording-media]')]"
                ".filter((m) => !m.hidden && !m.paused && m.currentTime > 0.5).length >= 2",
                timeout=30_000,
            )
            await page.get_by_test_id("play-button").click()
            await shot(page, output_dir / f"{lang}-6-clerk-desk-recordings.png", full_page=True)
            await assert_accessible(page, f"{lang} clerk desk after adjournment")
        await expect(zh.get_by_test_id("desk-state")).to_have_text("已闭庭")
        assert hearing.clerk is not None
        hearing.clerk.assert_no_errors()
    finally:
        await hearing.close()
