"""A refusal is shown in the page's language: the server names the refusal with a stable
code and the page says it in its own words, with names, not ids; the server's English
wording is only the fallback."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.browser.participant import join_links, open_participant
from tests.harness.server import RunningServer
from tests.harness.sio import SioClient

PEOPLE = [{"id": "judge", "display_name": "王法官", "role": "judge"},
          {"id": "clerk", "display_name": "刘书记员", "role": "clerk"},
          {"id": "alice", "display_name": "张三", "role": "party"}]  # fmt: skip


async def test_a_clerk_reads_why_an_admission_was_refused_in_chinese(
    server: RunningServer, browser: Browser
) -> None:
    hearing = await server.create_hearing(participants=PEOPLE)
    hid = hearing["id"]
    tokens = await server.links(hid)
    judge = SioClient(server.url, tokens["judge"])
    alice = SioClient(server.url, tokens["alice"])
    clerk = await open_participant(
        browser, (await join_links(server, hid))["clerk"], locale="zh-CN"
    )
    try:
        await judge.connect()
        assert (await judge.call("join"))["ok"]
        assert (await judge.call("lifecycle", {"action": "open"}))["ok"]
        await clerk.join()
        cp = clerk.page
        await alice.connect()
        assert (await alice.call("join"))["ok"]
        waiting = cp.locator('[data-testid="console-person"][data-participant-id="alice"]')
        await expect(waiting).to_have_attribute("data-presence", "lobby")

        # The judge locks the hearing just before the clerk admits the party.
        assert (await judge.call("control", {"action": "lock"}))["ok"]
        await waiting.get_by_role("button", name="准许进入 张三").click()
        error = cp.get_by_test_id("console-error")
        await expect(error).to_contain_text("无法准许 张三 进入。")
        await expect(error).to_contain_text("庭审已锁定：请先解除锁定，再准许他人进入。")
        await expect(error).not_to_contain_text("locked")
        await expect(waiting).to_have_attribute("data-presence", "lobby")

        # A refusal naming someone says their name: she is no longer waiting once admitted.
        assert (await judge.call("control", {"action": "unlock"}))["ok"]
        assert (await judge.call("control", {"action": "admit", "participant_id": "alice"}))["ok"]
        await expect(waiting).to_have_attribute("data-presence", "admitted")
        clerk.assert_no_errors()
    finally:
        for client in (judge, alice):
            await client.close()
        await clerk.close()
