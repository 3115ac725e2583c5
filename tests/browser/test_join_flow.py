"""The real flow, as people do it: the court creates a hearing, two parties open their links."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.harness.server import RunningServer
from tests.harness.sio import SioClient

H = "/api/v1/hearings"


async def open_link(browser: Browser, url: str) -> Page:
    context = await browser.new_context(locale="en-US", viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(url)
    page.errors = errors  # type: ignore[attr-defined]
    return page


async def roster_text(page: Page, participant_id: str) -> str:
    entry = page.locator(f'[data-testid="roster-entry"][data-participant-id="{participant_id}"]')
    return await entry.inner_text()


async def test_two_parties_join_and_see_each_other(
    server: RunningServer, browser: Browser, output_dir: Path
) -> None:
    # The court's case-management system creates the hearing and fetches the links.
    hearing = await server.create_hearing()
    status, body = await server.request("POST", f"{H}/{hearing['id']}/links")
    assert status == 200
    links = {link["participant_id"]: link["url"] for link in body["links"]}
    assert set(links) == {"judge", "clerk", "alice", "bob"}
    assert all(url.startswith(server.url + "/join#token=") for url in links.values())

    alice = await open_link(browser, links["alice"])
    bob = await open_link(browser, links["bob"])
    for page, name in ((alice, "김민지"), (bob, "Bob Park")):
        await expect(page.get_by_test_id("hearing-title")).to_have_text("Kim v. Park")
        await expect(page.get_by_test_id("case-number")).to_have_text("2026가단12345")
        await expect(page.get_by_test_id("participant-name")).to_have_text(name)
        await expect(page.get_by_test_id("participant-role")).to_have_text("Party")
        # The camera preview plays the fake device's picture.
        video = page.get_by_test_id("preview-video")
        await expect(video).to_be_visible()
        await page.wait_for_function(
            "document.querySelector('[data-testid=preview-video]').videoWidth > 0"
        )
        # The token is no longer visible in the address bar.
        assert "token" not in page.url

    await alice.screenshot(path=str(output_dir / "alice-before-join.png"))
    await alice.get_by_test_id("join-button").click()
    await expect(alice.get_by_test_id("lobby-leave-button")).to_be_visible()
    await bob.get_by_test_id("join-button").click()

    # Both wait in the lobby, and their pages say what is happening.
    for page in (alice, bob):
        await expect(page.get_by_test_id("screen-lobby")).to_contain_text(
            "You are in the waiting room"
        )
        await expect(page.get_by_test_id("lobby-state")).to_have_text(
            "The hearing has not been opened yet."
        )

    # The judge opens the hearing and admits both; their pages show them in the hearing.
    judge = SioClient(server.url, (await server.links(hearing["id"]))["judge"])
    await judge.connect()
    assert (await judge.call("join"))["ok"]
    assert (await judge.call("lifecycle", {"action": "open"}))["ok"]
    for pid in ("alice", "bob"):
        ack = await judge.call("control", {"action": "admit", "participant_id": pid})
        assert ack == {"ok": True}, ack
    for page, other in ((alice, "bob"), (bob, "alice")):
        await expect(page.get_by_test_id("screen-hearing")).to_be_visible()
        entry = page.locator(f'[data-testid="roster-entry"][data-participant-id="{other}"]')
        await expect(entry).to_contain_text("In the hearing")
    await expect(alice.get_by_test_id("status-message")).to_contain_text("let you in")
    await judge.close()
    # The list of participants is folded away by default.
    await alice.get_by_text("Participants", exact=True).click()
    assert "(you)" in await roster_text(alice, "alice")
    assert "Bob Park" in await roster_text(alice, "bob")
    await alice.screenshot(path=str(output_dir / "alice-joined.png"), full_page=True)

    # Bob leaves: Alice's roster shows him gone; Bob's page says so.
    await bob.get_by_test_id("leave-button").click()
    await expect(bob.get_by_test_id("ended-message")).to_have_text("You have left the hearing.")
    await expect(
        alice.locator('[data-testid="roster-entry"][data-participant-id="bob"]')
    ).to_have_count(0)

    # Left by mistake: Bob joins again from the same page, and waits to be let back in.
    await bob.get_by_test_id("rejoin-button").click()
    await expect(bob.get_by_test_id("screen-check")).to_be_visible()
    await bob.get_by_test_id("join-button").click()
    await expect(bob.get_by_test_id("screen-lobby")).to_be_visible()
    await expect(bob.get_by_test_id("lobby-state")).to_have_text(
        "The hearing is open. The court will let you in shortly."
    )
    await bob.get_by_test_id("lobby-leave-button").click()
    await expect(
        alice.locator('[data-testid="roster-entry"][data-participant-id="bob"]')
    ).to_have_count(0)
    for page in (alice, bob):
        assert page.errors == [], page.errors  # type: ignore[attr-defined]
        await page.context.close()

    audit = (server.settings.data_dir / "hearings" / hearing["id"] / "audit.jsonl").read_text()
    for action in ('"entered_lobby"', '"admit"', '"left"'):
        assert action in audit


async def test_a_bad_link_says_what_is_wrong(server: RunningServer, browser: Browser) -> None:
    page = await open_link(browser, server.url + "/join#token=not-a-real-token")
    await expect(page.get_by_test_id("fatal-message")).to_contain_text("not a valid join link")
    await page.context.close()
    page = await open_link(browser, server.url + "/join")
    await expect(page.get_by_test_id("fatal-message")).to_contain_text("join link")
    await page.context.close()
