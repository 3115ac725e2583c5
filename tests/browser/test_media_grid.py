"""Media in browsers: three Chromium participants see and hear each other through the node;
a fourth joining and one leaving do not stop anyone else's frames."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, expect

from tests.harness.server import RunningServer

# Record every RTCPeerConnection the page makes, so the test can read its getStats().
RECORD_CONNECTIONS = """
window.__pcs = [];
const Original = window.RTCPeerConnection;
window.RTCPeerConnection = function (...args) {
  const pc = new Original(...args);
  window.__pcs.push(pc);
  return pc;
};
window.RTCPeerConnection.prototype = Original.prototype;
"""

# Inbound RTP of every open connection: per mid, frames decoded or audio samples received.
INBOUND = """
async () => {
  const out = {};
  for (const pc of window.__pcs) {
    if (pc.connectionState === "closed") continue;
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type === "inbound-rtp") {
        out[s.mid + "/" + s.kind] = s.kind === "video" ? s.framesDecoded : s.totalSamplesReceived;
      }
    });
  }
  return out;
}
"""

PARTICIPANTS = [
    {"id": "judge", "display_name": "Judge Han", "role": "judge"},
    {"id": "alice", "display_name": "Alice Kim", "role": "party"},
    {"id": "bob", "display_name": "Bob Park", "role": "party"},
    {"id": "carol", "display_name": "Carol Lee", "role": "counsel"},
    {"id": "dave", "display_name": "Dave Choi", "role": "party"},
]


async def join(browser: Browser, url: str) -> Page:
    context = await browser.new_context(locale="en-US", viewport={"width": 1000, "height": 800})
    page = await context.new_page()
    await page.add_init_script(RECORD_CONNECTIONS)
    await page.goto(url)
    await page.wait_for_function(
        "document.querySelector('[data-testid=preview-video]').videoWidth > 0"
    )
    await page.get_by_test_id("join-button").click()
    await expect(page.get_by_test_id("leave-button")).to_be_visible()
    return page


async def tiles(page: Page) -> set[str]:
    ids = await page.locator('[data-testid="video-tile"]').evaluate_all(
        "tiles => tiles.map(t => t.dataset.participantId)"
    )
    return set(ids)


async def receiving(page: Page, others: set[str], *, timeout: float = 20.0) -> dict[str, Any]:
    """Wait until the page shows a tile for each of `others` and every inbound track grows."""
    async with asyncio.timeout(timeout):
        while True:
            if await tiles(page) == others:
                first = await page.evaluate(INBOUND)
                await asyncio.sleep(1.0)  # a sampling window, not a wait for an event
                second = await page.evaluate(INBOUND)
                growing = {k for k in second if second[k] > first.get(k, 0)}
                video = {k for k in growing if k.endswith("/video")}
                audio = {k for k in growing if k.endswith("/audio")}
                if len(video) >= len(others) and len(audio) >= len(others):
                    return dict(second)
            await asyncio.sleep(0.2)


async def test_three_then_four_then_three(
    server: RunningServer, browser: Browser, output_dir: Path
) -> None:
    hearing = await server.create_hearing(participants=PARTICIPANTS, lobby=False)
    status, body = await server.request("POST", f"/api/v1/hearings/{hearing['id']}/links")
    assert status == 200
    links = {link["participant_id"]: link["url"] for link in body["links"]}

    pages = {pid: await join(browser, links[pid]) for pid in ("alice", "bob", "carol")}
    for pid, page in pages.items():
        await receiving(page, {"alice", "bob", "carol"} - {pid})
    caption = pages["alice"].locator('[data-testid="video-tile"][data-participant-id="carol"]')
    await expect(caption).to_contain_text("Carol Lee (Counsel)")

    await pages["alice"].screenshot(path=str(output_dir / "alice-grid.png"), full_page=True)

    # A fourth joins: everyone keeps receiving, and now from three others.
    pages["dave"] = await join(browser, links["dave"])
    for pid, page in pages.items():
        await receiving(page, {"alice", "bob", "carol", "dave"} - {pid})

    # One leaves: the others keep receiving each other, and bob's tile goes.
    await pages["bob"].get_by_test_id("leave-button").click()
    await expect(pages["bob"].get_by_test_id("ended-message")).to_contain_text("left")
    for pid in ("alice", "carol", "dave"):
        await receiving(pages[pid], {"alice", "carol", "dave"} - {pid})
    for page in pages.values():
        await page.context.close()
