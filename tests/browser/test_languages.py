"""The page language: the browser's, unless the link asks for one with ?lang=zh|en."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.browser.participant import join_links, open_participant
from tests.harness.server import RunningServer


async def test_language_from_browser_or_link(server: RunningServer, browser: Browser) -> None:
    hearing = await server.create_hearing()
    url = (await join_links(server, hearing["id"]))["alice"]
    with_lang = url.replace("/join#", "/join?lang={}#")
    cases = [
        ("zh-CN", url, "zh-Hans", "加入庭审", "当事人"),
        ("en-US", url, "en", "Join hearing", "Party"),
        ("en-US", with_lang.format("zh"), "zh-Hans", "加入庭审", "当事人"),
        ("zh-CN", with_lang.format("en"), "en", "Join hearing", "Party"),
    ]
    for locale, link, lang, join, role in cases:
        participant = await open_participant(browser, link, locale=locale)
        page = participant.page
        assert await page.evaluate("document.documentElement.lang") == lang, (locale, link)
        await expect(page.get_by_test_id("join-button")).to_have_text(join)
        await expect(page.get_by_test_id("participant-role")).to_have_text(role)
        # The token is gone from the address bar; the language choice stays.
        assert "token" not in page.url
        participant.assert_no_errors()
        await participant.close()
