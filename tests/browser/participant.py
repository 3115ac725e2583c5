"""A participant's browser page for the tests: opened from a join link, errors collected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.harness.server import RunningServer

__all__ = ["MEDIA_TIMEOUT_MS", "Participant", "join_links", "open_participant"]

# How long a first video frame may take to arrive through the media node. Generous:
# several Chromium pages with fake cameras on a busy two-core machine are slow to start.
MEDIA_TIMEOUT_MS = 45_000

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


@dataclass
class Participant:
    """One person's page, with the console errors and page errors it raised."""

    page: Page
    errors: list[str] = field(default_factory=list)

    async def join(self) -> None:
        """Press Join (enabled once the page is connected)."""
        await self.page.get_by_test_id("join-button").click()

    async def close(self) -> None:
        await self.page.context.close()

    def assert_no_errors(self) -> None:
        assert self.errors == [], self.errors


async def join_links(server: RunningServer, hearing_id: str) -> dict[str, str]:
    """participant id → join link (the URL the court sends)."""
    status, body = await server.request("POST", f"/api/v1/hearings/{hearing_id}/links")
    assert status == 200, body
    return {link["participant_id"]: link["url"] for link in body["links"]}


async def open_participant(
    browser: Browser,
    url: str,
    *,
    locale: str = "en-US",
    viewport: ViewportSize | None = None,
    screen: str = "screen-check",
    **context_options: Any,
) -> Participant:
    """Open `url` in a fresh browser context (its own cookies, camera, language); the page
    is ready once it shows `screen` (the device check, or the end for a hearing over)."""
    context = await browser.new_context(
        locale=locale, viewport=viewport or DESKTOP, **context_options
    )
    page = await context.new_page()
    participant = Participant(page)
    page.on("pageerror", lambda e: participant.errors.append(str(e)))
    page.on(
        "console",
        lambda m: participant.errors.append(m.text) if m.type == "error" else None,
    )
    await page.goto(url)
    await expect(page.get_by_test_id(screen)).to_be_visible()
    return participant
