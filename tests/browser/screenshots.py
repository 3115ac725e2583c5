"""Screenshots of what people see, saved for a person to look at (test-output/)."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page

__all__ = ["shot"]


async def shot(page: Page, path: Path, *, full_page: bool = False) -> None:
    """Save the page as it looks now, from its top."""
    # Sticky bars land mid-page in a full-page capture of a scrolled page.
    await page.evaluate("window.scrollTo(0, 0)")
    await page.screenshot(path=str(path), full_page=full_page)
