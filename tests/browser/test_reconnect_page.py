"""A dropped network, as the party sees it: a clear message while the page reconnects,
then back in the hearing without being admitted again."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from tests.browser.participant import MEDIA_TIMEOUT_MS, join_links, open_participant
from tests.harness.server import RunningServer

# Lets the test cut the page's network: every open WebSocket is closed and new ones
# fail (to a closed port) until the network is "back".
NETWORK_SWITCH = """
window.__sockets = [];
window.__networkDown = false;
const RealWebSocket = window.WebSocket;
window.WebSocket = function (url, protocols) {
  const ws = new RealWebSocket(window.__networkDown ? "ws://127.0.0.1:9/" : url, protocols);
  window.__sockets.push(ws);
  return ws;
};
window.WebSocket.prototype = RealWebSocket.prototype;
Object.assign(window.WebSocket, {
  CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3,
});
window.__dropNetwork = () => {
  window.__networkDown = true;
  for (const ws of window.__sockets) ws.close();
};
"""


async def test_dropped_connection_comes_back_into_the_hearing(
    server: RunningServer, browser: Browser, output_dir: Path
) -> None:
    hearing = await server.create_hearing(lobby=False)
    links = await join_links(server, hearing["id"])
    judge = await open_participant(browser, links["judge"])
    await judge.join()
    await judge.page.get_by_role("button", name="Open the hearing").click()

    context = await browser.new_context(locale="en-US", viewport={"width": 1000, "height": 800})
    page = await context.new_page()
    await page.add_init_script(NETWORK_SWITCH)
    await page.goto(links["alice"])
    await page.get_by_test_id("join-button").click()
    await expect(page.get_by_test_id("screen-hearing")).to_be_visible()
    judge_tile = page.locator('[data-testid="video-tile"][data-participant-id="judge"]')
    await expect(judge_tile).to_be_visible(timeout=MEDIA_TIMEOUT_MS)

    # The network drops: the page says so, and what to do.
    await page.evaluate("window.__dropNetwork()")
    banner = page.get_by_test_id("reconnect-banner")
    await expect(banner).to_contain_text("Your connection to the court was lost. Reconnecting…")
    await expect(banner).to_contain_text("Stay on this page.")
    await expect(page.get_by_test_id("connection-status")).to_have_text("Reconnecting…")
    await page.screenshot(path=str(output_dir / "reconnecting.png"))
    roster_entry = judge.page.locator('[data-testid="console-person"][data-participant-id="alice"]')
    await expect(roster_entry).to_contain_text("Connection lost – place kept")

    # The network is back: same place in the hearing, no admission needed, media again.
    await page.evaluate("window.__networkDown = false")
    await expect(banner).to_contain_text("You are connected again.", timeout=15_000)
    await expect(page.get_by_test_id("screen-hearing")).to_be_visible()
    await expect(judge_tile).to_be_visible(timeout=MEDIA_TIMEOUT_MS)
    await expect(roster_entry).not_to_contain_text("Connection lost")
    await page.screenshot(path=str(output_dir / "reconnected.png"))

    # The device reports going offline (the browser's "offline" event): said at once,
    # without waiting for the connection to time out. (The test's network namespace has
    # only loopback, so Chromium already counts itself offline: the event is sent here.)
    await page.evaluate("window.dispatchEvent(new Event('offline'))")
    await expect(banner).to_contain_text("Your device is offline.")
    # Socket.IO also drops its connection on that event, and comes back with the network.
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await expect(banner).to_contain_text("You are connected again.", timeout=15_000)
    await expect(page.get_by_test_id("screen-hearing")).to_be_visible()

    await context.close()
    judge.assert_no_errors()
    await judge.close()
