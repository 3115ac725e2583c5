"""The judge's console beyond the main flow: a sequestered witness called in and released,
lock and a refused admission with the server's reason, back to the lobby, deny, remove,
public viewing; and a mediator's caucus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, expect

from tests.browser.participant import MEDIA_TIMEOUT_MS, join_links, open_participant
from tests.harness.server import RunningServer
from tests.harness.sio import SioClient

PEOPLE = [
    {"id": "judge", "display_name": "Judge Han", "role": "judge"},
    {"id": "wendy", "display_name": "Wendy Cho", "role": "witness"},
    {"id": "bob", "display_name": "Bob Park", "role": "party"},
    {"id": "olga", "display_name": "Olga Lim", "role": "observer"},
]


def person(page: Page, participant_id: str) -> Any:
    return page.locator(f'[data-testid="console-person"][data-participant-id="{participant_id}"]')


async def sio(server: RunningServer, hearing_id: str, participant_id: str) -> SioClient:
    client = SioClient(server.url, (await server.links(hearing_id))[participant_id])
    await client.connect()
    assert (await client.call("join"))["ok"]
    return client


async def test_witness_lock_lobby_deny_remove_public(
    server: RunningServer, browser: Browser, output_dir: Path
) -> None:
    hearing = await server.create_hearing(participants=PEOPLE, public=True)
    hid = hearing["id"]
    links = await join_links(server, hid)
    judge = await open_participant(
        browser, links["judge"], viewport={"width": 1280, "height": 1100}
    )
    jp = judge.page
    await judge.join()
    await jp.get_by_role("button", name="Open the hearing").click()
    await jp.get_by_role("button", name="Start the hearing").click()

    # The witness is admitted but sequestered: she sees and hears nothing until called.
    witness = await open_participant(
        browser, links["wendy"], viewport={"width": 900, "height": 800}
    )
    wp = witness.page
    await witness.join()
    await person(jp, "wendy").get_by_role("button", name="Admit Wendy Cho").click()
    await expect(wp.get_by_test_id("sequestered")).to_contain_text("Please wait to be called")
    await expect(wp.get_by_test_id("video-grid")).to_be_hidden()
    await expect(wp.get_by_test_id("mic-button")).to_be_hidden()
    await expect(person(jp, "wendy")).to_contain_text("Sequestered: cannot see or hear the hearing")
    await wp.screenshot(path=str(output_dir / "witness-sequestered.png"))

    await person(jp, "wendy").get_by_role("button", name="Call in Wendy Cho").click()
    await expect(wp.get_by_test_id("sequestered")).to_be_hidden()
    await expect(wp.get_by_test_id("status-message")).to_have_text(
        "The judge has called you in. You can now see and hear the hearing."
    )
    await expect(
        wp.locator('[data-testid="video-tile"][data-participant-id="judge"]')
    ).to_be_visible(timeout=MEDIA_TIMEOUT_MS)
    await expect(wp.get_by_test_id("mic-button")).to_be_visible()
    await expect(person(jp, "wendy")).to_contain_text("Called in")
    await wp.screenshot(path=str(output_dir / "witness-called.png"))
    await person(jp, "wendy").get_by_role("button", name="Release Wendy Cho").click()
    await expect(wp.get_by_test_id("sequestered")).to_be_visible()
    await expect(wp.locator('[data-testid="video-tile"]')).to_have_count(0)

    # Locked: admitting is refused, and the console says why, in the server's words.
    await jp.get_by_test_id("lock-button").click()
    await expect(jp.get_by_test_id("lock-state")).to_have_text(
        "Locked: nobody else can be admitted."
    )
    bob = await sio(server, hid, "bob")
    await person(jp, "bob").get_by_role("button", name="Admit Bob Park").click()
    error = jp.get_by_test_id("console-error")
    await expect(error).to_contain_text("Bob Park could not be admitted.")
    await expect(error).to_contain_text("The hearing is locked: unlock it to admit anyone.")
    await expect(person(jp, "bob")).to_have_attribute("data-presence", "lobby")
    await jp.evaluate("window.scrollTo(0, 0)")
    await jp.screenshot(path=str(output_dir / "judge-refused.png"), full_page=True)
    await jp.get_by_test_id("lock-button").click()
    await expect(jp.get_by_test_id("lock-state")).to_have_text(
        "Unlocked: people in the lobby can be admitted."
    )
    await person(jp, "bob").get_by_role("button", name="Admit Bob Park").click()
    await expect(person(jp, "bob")).to_have_attribute("data-presence", "admitted")
    await expect(error).to_be_empty()

    # Back to the lobby, then denied: the witness's page says each plainly.
    await person(jp, "wendy").get_by_role("button", name="Back to lobby Wendy Cho").click()
    await expect(wp.get_by_test_id("screen-lobby")).to_be_visible()
    await expect(wp.get_by_test_id("lobby-returned")).to_have_text(
        "The court has moved you back to the waiting room."
    )
    await person(jp, "wendy").get_by_role("button", name="Deny Wendy Cho").click()
    await expect(wp.get_by_test_id("ended-message")).to_have_text(
        "The court did not let you into the hearing. "
        "If you think this is a mistake, contact the court clerk."
    )

    # Remove asks first; cancelling changes nothing, confirming disconnects.
    await person(jp, "bob").get_by_role("button", name="Remove Bob Park").click()
    dialog = jp.get_by_role("dialog", name="Remove Bob Park from the hearing?")
    await dialog.get_by_role("button", name="Cancel").click()
    await expect(person(jp, "bob")).to_be_visible()
    await person(jp, "bob").get_by_role("button", name="Remove Bob Park").click()
    await dialog.get_by_role("button", name="Remove").click()
    ended = await bob.wait_for("session_ended")
    assert ended["code"] == "removed"
    await expect(person(jp, "bob")).to_have_count(0)

    # Public viewing: the observer watches (seen by nobody, no camera); turning public
    # viewing off ends the observer's session, and the page says why.
    observer = await open_participant(
        browser, links["olga"], viewport={"width": 800, "height": 700}
    )
    op = observer.page
    await expect(op.get_by_test_id("preview-video")).to_be_hidden()
    await observer.join()
    await expect(op.get_by_test_id("screen-hearing")).to_contain_text(
        "You are watching as an observer. Nobody can see or hear you."
    )
    await expect(op.get_by_test_id("mic-button")).to_be_hidden()
    await expect(op.get_by_test_id("hand-button")).to_be_hidden()
    await expect(
        op.locator('[data-testid="video-tile"][data-participant-id="judge"]')
    ).to_be_visible(timeout=MEDIA_TIMEOUT_MS)
    await expect(person(jp, "olga")).to_have_attribute("data-presence", "admitted")
    await expect(jp.get_by_test_id("public-state")).to_have_text(
        "Public viewing is on: observers can watch."
    )
    await jp.get_by_test_id("public-button").click()
    await expect(jp.get_by_test_id("public-state")).to_have_text("Public viewing is off.")
    await expect(op.get_by_test_id("ended-message")).to_have_text(
        "Public viewing of this hearing has ended."
    )

    await bob.close()
    for participant in (judge, witness, observer):
        participant.assert_no_errors()
        await participant.close()


async def test_mediator_opens_and_closes_a_caucus(
    server: RunningServer, browser: Browser, output_dir: Path
) -> None:
    people = [
        {"id": "mediator", "display_name": "Mediator Seo", "role": "mediator"},
        {"id": "alice", "display_name": "Alice Kim", "role": "party"},
        {"id": "carol", "display_name": "Carol Lee", "role": "counsel"},
        {"id": "bob", "display_name": "Bob Park", "role": "party"},
    ]
    hearing = await server.create_hearing(participants=people, kind="mediation", lobby=False)
    hid = hearing["id"]
    links = await join_links(server, hid)
    mediator = await open_participant(browser, links["mediator"])
    mp = mediator.page
    await mediator.join()
    await expect(mp.get_by_role("heading", name="Mediator's controls")).to_be_visible()
    await mp.get_by_role("button", name="Open the hearing").click()
    clients = [await sio(server, hid, pid) for pid in ("alice", "carol", "bob")]
    caucus = mp.get_by_test_id("caucus-state")
    await expect(caucus).to_have_text("No caucus is open: everyone is in the joint session.")

    await mp.get_by_label("Alice Kim (Party)").check()
    await mp.get_by_label("Carol Lee (Counsel)").check()
    await mp.get_by_role("button", name="Open caucus").click()
    await expect(caucus).to_contain_text("Caucus open with Alice Kim, Carol Lee.")
    await expect(person(mp, "alice")).to_contain_text("In the caucus")
    await expect(person(mp, "bob")).not_to_contain_text("In the caucus")
    await mp.screenshot(path=str(output_dir / "mediator-caucus.png"), full_page=True)
    await mp.get_by_role("button", name="Close caucus").click()
    await expect(caucus).to_have_text("No caucus is open: everyone is in the joint session.")

    for client in clients:
        await client.close()
    mediator.assert_no_errors()
    await mediator.close()
