"""The party's page on a phone (390x844): every step fits the screen, the controls stay
in reach at the bottom, and a keyboard alone can use them."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.browser.participant import MEDIA_TIMEOUT_MS, PHONE, join_links, open_participant
from tests.harness.server import RunningServer

NAME = "김민지"


async def assert_fits(page: Page, where: str) -> None:
    """Nothing sticks out sideways: no horizontal scrolling on a phone."""
    width = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{where}: page is {width[0]}px wide in a {width[1]}px screen"


async def tab_to(page: Page, name: str, limit: int = 40) -> None:
    """Press Tab until the focused element's text is `name` (as a keyboard user would)."""
    seen = []
    for _ in range(limit):
        await page.keyboard.press("Tab")
        text = await page.evaluate("document.activeElement?.innerText?.trim() ?? ''")
        if text == name:
            return
        seen.append(text)
    raise AssertionError(f"Tab never reached {name!r}; went through {seen}")


async def test_party_page_on_a_phone(
    server: RunningServer, browser: Browser, output_dir: Path
) -> None:
    hearing = await server.create_hearing()
    links = await join_links(server, hearing["id"])
    judge = await open_participant(browser, links["judge"])
    await judge.join()
    jp = judge.page
    await jp.get_by_role("button", name="Open the hearing").click()

    phone = await open_participant(
        browser, links["alice"], viewport=PHONE, is_mobile=True, has_touch=True,
        device_scale_factor=2,
    )  # fmt: skip
    pp = phone.page

    # The device check: picture, speaker test, network verdict, all within the width.
    await expect(pp.get_by_test_id("network-verdict")).to_have_text(
        re.compile(r"^Your connection (is good|may cause problems|is not good enough yet)\.$"),
        timeout=15_000,
    )
    await expect(pp.get_by_test_id("network-result")).to_contain_text(" ms)")
    await pp.get_by_role("button", name="Play test sound").tap()
    await expect(pp.get_by_test_id("speaker-message")).to_contain_text("Did you hear three beeps?")
    await pp.wait_for_function("document.querySelector('#preview-video').videoWidth > 0")
    await assert_fits(pp, "device check")
    await pp.screenshot(path=str(output_dir / "phone-1-device-check.png"), full_page=True)

    # The lobby.
    await pp.get_by_role("button", name="Join hearing").tap()
    await expect(pp.get_by_test_id("screen-lobby")).to_be_visible()
    await assert_fits(pp, "lobby")
    await pp.screenshot(path=str(output_dir / "phone-2-lobby.png"), full_page=True)

    # Admitted and in session: the controls sit at the bottom of the screen.
    entry = jp.locator('[data-testid="console-person"][data-participant-id="alice"]')
    await entry.get_by_role("button", name=f"Admit {NAME}").click()
    await jp.get_by_role("button", name="Start the hearing").click()
    await expect(pp.get_by_test_id("screen-hearing")).to_be_visible()
    await expect(pp.get_by_test_id("recording-indicator")).to_be_visible()
    tile = pp.locator('[data-testid="video-tile"][data-participant-id="judge"]')
    await expect(tile).to_contain_text("Judge Han (Judge)", timeout=MEDIA_TIMEOUT_MS)
    for test_id in ("mic-button", "camera-button", "hand-button", "leave-button"):
        box = await pp.get_by_test_id(test_id).bounding_box()
        assert box is not None, test_id
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (test_id, box)
        assert box["height"] >= 44 and box["width"] >= 44, (test_id, box)
    await assert_fits(pp, "hearing")
    await pp.screenshot(path=str(output_dir / "phone-3-hearing.png"))

    # Own microphone: tap to mute, tap to unmute.
    mic = pp.get_by_test_id("mic-button")
    await mic.tap()
    await expect(mic).to_have_text("Unmute microphone")
    own_audio = "document.querySelector('[data-testid=self-tile] video').srcObject"
    assert not await pp.evaluate(f"{own_audio}.getAudioTracks()[0].enabled")
    await mic.tap()
    await expect(mic).to_have_text("Mute microphone")

    # With the keyboard alone: Tab to "Raise hand", press Enter; the judge sees it.
    await pp.evaluate("document.activeElement?.blur()")
    await tab_to(pp, "Raise hand")
    await pp.keyboard.press("Enter")
    await expect(jp.get_by_test_id("hand-queue")).to_contain_text(f"{NAME} (Party)")
    await expect(pp.get_by_test_id("hand-button")).to_have_text("Lower hand")

    # The court mutes her camera: the phone says so and the button shows why it is off.
    await entry.get_by_role("button", name=f"Stop camera {NAME}").click()
    await expect(pp.get_by_test_id("court-muted-video")).to_contain_text(
        "The court has stopped your camera."
    )
    await expect(pp.get_by_test_id("camera-button")).to_have_text("Camera stopped by the court")
    await assert_fits(pp, "muted")
    await pp.screenshot(path=str(output_dir / "phone-4-camera-stopped.png"))

    for participant in (phone, judge):
        participant.assert_no_errors()
        await participant.close()
