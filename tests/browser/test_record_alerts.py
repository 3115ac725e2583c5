"""When part of the hearing may not be recorded, the judge's console says so, in words,
until the problem is over or the judge dismisses it."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.browser.participant import join_links, open_participant
from tests.conftest import StartServer


async def test_the_console_shows_that_the_disk_is_nearly_full(
    start: StartServer, browser: Browser
) -> None:
    # More free space asked for than any disk has: recording warns as soon as it starts.
    server = await start(min_free_bytes=2**62)
    hearing = await server.create_hearing(lobby=False)
    links = await join_links(server, hearing["id"])
    judge = await open_participant(browser, links["judge"], locale="zh-CN")
    await judge.join()
    page = judge.page
    for action in ("开放庭审", "开庭"):
        await page.get_by_role("button", name=action).click()
    alert = page.get_by_test_id("record-alert")
    await expect(alert).to_contain_text("录制：服务器磁盘空间即将用尽", timeout=30_000)
    await expect(alert).to_contain_text("free space")  # the server's own words, as detail
    await alert.get_by_role("button", name="关闭").click()
    await expect(page.get_by_test_id("record-alert")).to_have_count(0)
    judge.assert_no_errors()
