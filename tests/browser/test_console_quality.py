"""The judge's console shows how well each participant's connection works, in words and
with an icon (colour is never the only signal), from the media node's own figures."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.browser.participant import join_links, open_participant
from tests.harness.rtc_client import RtcParticipant
from tests.harness.server import RunningServer

PEOPLE = [{"id": "judge", "display_name": "Judge Han", "role": "judge"},
          {"id": "bob", "display_name": "Bob Park", "role": "party"}]  # fmt: skip


async def test_the_console_shows_a_connected_participants_connection_quality(
    server: RunningServer, browser: Browser
) -> None:
    hearing = await server.create_hearing(participants=PEOPLE, lobby=False)
    hid = hearing["id"]
    judge = await open_participant(browser, (await join_links(server, hid))["judge"])
    bob = RtcParticipant(server.url, (await server.links(hid))["bob"])
    try:
        await judge.join()
        bob_entry = judge.page.locator('[data-testid="console-person"][data-participant-id="bob"]')
        await bob.join()
        await expect(bob_entry).to_have_attribute("data-presence", "admitted")
        # Before Bob sends anything there is nothing to judge, so nothing is claimed.
        await expect(bob_entry.get_by_test_id("connection-quality")).to_have_count(0)

        assert (await bob.publish())["ok"]
        quality = bob_entry.get_by_test_id("connection-quality")
        await expect(quality).to_have_text("Connection good", timeout=30_000)
        await expect(quality).to_have_attribute("data-quality", "good")
        await expect(quality.locator("svg.icon-signal-3")).to_have_count(1)

        # His network drops: his place is kept, and no verdict is claimed any more.
        await bob.close()
        await expect(bob_entry).to_contain_text("Connection lost – place kept")
        await expect(quality).to_have_count(0)
        judge.assert_no_errors()
    finally:
        await bob.close()
        await judge.close()
