"""The whole hearing as people click it: the judge runs it from the console, the clerk
verifies and admits, the party waits, is muted, asked to speak, and sees it all; the
audit log records every step in order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, expect

from tests.browser.participant import MEDIA_TIMEOUT_MS, join_links, open_participant
from tests.harness.server import RunningServer

PARTY = "김민지"


def person(page: Page, participant_id: str) -> Any:
    return page.locator(f'[data-testid="console-person"][data-participant-id="{participant_id}"]')


def audit_entries(server: RunningServer, hearing_id: str) -> list[dict[str, Any]]:
    path = server.settings.data_dir / "hearings" / hearing_id / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def assert_in_order(
    entries: list[dict[str, Any]], steps: list[tuple[str, str, str | None]]
) -> None:
    """Each (actor, action, target) appears, done, after the previous one."""
    position = 0
    for actor, action, target in steps:
        for i in range(position, len(entries)):
            e = entries[i]
            if (e["actor"], e["action"]) == (actor, action) and target in (None, e["target"]):
                assert e["outcome"] == "done", e
                position = i + 1
                break
        else:
            seen = [(e["actor"], e["action"], e["target"]) for e in entries[position:]]
            raise AssertionError(f"{(actor, action, target)} not found in order after {seen}")


async def test_judge_runs_the_hearing_clerk_admits_party_sees_it(
    server: RunningServer, browser: Browser, output_dir: Path
) -> None:
    hearing = await server.create_hearing()
    hid = hearing["id"]
    links = await join_links(server, hid)

    # The judge joins and opens the hearing from the console.
    judge = await open_participant(
        browser, links["judge"], viewport={"width": 1280, "height": 1000}
    )
    await judge.join()
    jp = judge.page
    console = jp.get_by_test_id("console")
    await expect(console).to_be_visible()
    await expect(jp.get_by_role("heading", name="Judge's controls")).to_be_visible()
    await jp.get_by_role("button", name="Open the hearing").click()
    await expect(jp.get_by_test_id("console-state")).to_have_text("Open – not started")
    await expect(jp.get_by_test_id("console-clock")).to_have_text("0:00:00")

    # The party joins and waits in the lobby; the page says what is happening.
    party = await open_participant(browser, links["alice"], viewport={"width": 1000, "height": 800})
    pp = party.page
    await party.join()
    lobby = pp.get_by_test_id("screen-lobby")
    await expect(lobby).to_be_visible()
    await expect(lobby).to_contain_text("You are in the waiting room")
    await expect(pp.get_by_test_id("lobby-state")).to_have_text(
        "The hearing is open. The court will let you in shortly."
    )
    await pp.screenshot(path=str(output_dir / "1-party-lobby.png"))

    # The clerk verifies the party's identity and admits her.
    clerk = await open_participant(
        browser, links["clerk"], viewport={"width": 1100, "height": 1000}
    )
    cp = clerk.page
    await clerk.join()
    await expect(cp.get_by_role("heading", name="Clerk's controls")).to_be_visible()
    # The clerk has no lifecycle, lock or removal controls.
    await expect(cp.get_by_role("button", name="Start the hearing")).to_have_count(0)
    await expect(cp.get_by_test_id("lock-button")).to_be_hidden()
    waiting = person(cp, "alice")
    await expect(waiting).to_contain_text("Identity not checked")
    # Her camera reaches the clerk's and the judge's lobby list (to compare with her
    # identity card), not their video grids; she is told the court can see her.
    await expect(pp.get_by_test_id("lobby-seen")).to_contain_text("can see your camera")
    for page in (cp, jp):
        preview = person(page, "alice").get_by_test_id("lobby-preview")
        await expect(preview).to_have_attribute(
            "aria-label", f"Camera of {PARTY}, waiting in the lobby"
        )
        await page.wait_for_function(
            """() => document.querySelector('[data-testid="console-person"][data-participant-id='
            + '"alice"] video')?.videoWidth > 0""",
            timeout=MEDIA_TIMEOUT_MS,
        )
        await expect(
            page.locator('[data-testid="video-tile"][data-participant-id="alice"]')
        ).to_have_count(0)
    await waiting.get_by_role("button", name=f"Verify identity {PARTY}").click()
    dialog = cp.get_by_role("dialog", name=f"Verify the identity of {PARTY}")
    await dialog.get_by_label("How was the identity checked?").fill("Identity card shown on camera")
    await dialog.get_by_role("button", name="Record verification").click()
    await expect(waiting).to_contain_text(
        "Identity checked by Clerk Yoon: Identity card shown on camera"
    )
    await expect(pp.get_by_test_id("lobby-verified")).to_have_text(
        "Your identity has been checked by Clerk Yoon."
    )
    await cp.screenshot(path=str(output_dir / "2-clerk-console.png"), full_page=True)
    await waiting.get_by_role("button", name=f"Admit {PARTY}").click()
    await expect(cp.get_by_test_id("console-status")).to_have_text(f"{PARTY} admitted.")
    await expect(pp.get_by_test_id("screen-hearing")).to_be_visible()
    await expect(person(jp, "alice")).to_contain_text("Identity checked by Clerk Yoon")
    # Admitted, her picture moves from the lobby list into the grid.
    await expect(
        jp.locator('[data-testid="video-tile"][data-participant-id="alice"]')
    ).to_be_visible(timeout=MEDIA_TIMEOUT_MS)
    await expect(jp.get_by_test_id("lobby-preview")).to_have_count(0)

    # The judge starts: the party sees the hearing in session, and recorded.
    await jp.get_by_role("button", name="Start the hearing").click()
    await expect(pp.get_by_test_id("hearing-state")).to_have_text("In session")
    await expect(pp.get_by_test_id("recording-indicator")).to_be_visible()
    await expect(pp.get_by_test_id("recording-indicator")).to_have_text("Recording")
    await expect(jp.get_by_test_id("console-state")).to_have_text("In session")
    # Everyone's video: the judge's and the clerk's tiles on the party's page.
    for pid in ("judge", "clerk"):
        tile = pp.locator(f'[data-testid="video-tile"][data-participant-id="{pid}"]')
        await expect(tile).to_be_visible(timeout=MEDIA_TIMEOUT_MS)
    await expect(
        pp.locator('[data-testid="video-tile"][data-participant-id="judge"]')
    ).to_contain_text("Judge Han (Judge)")

    # The party raises her hand; the judge sees the queue and lowers it.
    await pp.get_by_role("button", name="Raise hand").click()
    queue = jp.get_by_test_id("hand-queue")
    await expect(queue).to_contain_text(f"{PARTY} (Party)")
    await queue.get_by_role("button", name=f"Lower hand {PARTY}").click()
    await expect(pp.get_by_role("button", name="Raise hand")).to_be_visible()

    # The judge mutes the party's microphone: her page says so, plainly.
    await person(jp, "alice").get_by_role("button", name=f"Mute mic {PARTY}").click()
    muted = pp.get_by_test_id("court-muted-audio")
    await expect(muted).to_contain_text("The court has muted your microphone")
    await expect(pp.get_by_test_id("mic-button")).to_have_text("Microphone muted by the court")
    await expect(pp.get_by_test_id("mic-button")).to_be_disabled()
    await expect(person(jp, "alice")).to_contain_text("Microphone muted by the court")
    await pp.screenshot(path=str(output_dir / "3-party-muted.png"))
    await jp.screenshot(path=str(output_dir / "4-judge-console.png"), full_page=True)

    # The judge asks her to speak again; she chooses to unmute.
    await person(jp, "alice").get_by_role("button", name=f"Ask to unmute mic {PARTY}").click()
    await expect(pp.get_by_test_id("unmute-requested-audio")).to_contain_text(
        "The court asks you to unmute your microphone."
    )
    await pp.get_by_test_id("unmute-audio").click()
    await expect(pp.get_by_test_id("mic-button")).to_have_text("Mute microphone")
    await expect(pp.get_by_test_id("court-notices")).to_be_empty()

    # Recess and resume: the state and the recording indicator follow.
    await jp.get_by_role("button", name="Recess").click()
    await expect(pp.get_by_test_id("hearing-state")).to_have_text("In recess")
    await expect(pp.get_by_test_id("recording-indicator")).to_be_hidden()
    await jp.get_by_role("button", name="Resume").click()
    await expect(pp.get_by_test_id("hearing-state")).to_have_text("In session")
    await expect(pp.get_by_test_id("recording-indicator")).to_be_visible()

    # Adjourn asks for confirmation first; then every page ends.
    await jp.get_by_role("button", name="Adjourn").click()
    confirm = jp.get_by_role("dialog", name="Adjourn the hearing?")
    await expect(confirm).to_be_visible()
    await confirm.get_by_role("button", name="Adjourn").click()
    for page in (pp, cp, jp):
        await expect(page.get_by_test_id("ended-message")).to_have_text(
            "The hearing is adjourned. Thank you for taking part."
        )
    await pp.screenshot(path=str(output_dir / "5-party-adjourned.png"))

    assert_in_order(
        audit_entries(server, hid),
        [
            ("judge", "hearing_open", hid),
            ("alice", "entered_lobby", None),
            ("clerk", "verify_identity", "alice"),
            ("clerk", "admit", "alice"),
            ("judge", "hearing_start", hid),
            ("alice", "raise_hand", None),
            ("judge", "lower_hand", "alice"),
            ("judge", "mute", "alice"),
            ("judge", "request_unmute", "alice"),
            ("judge", "hearing_recess", hid),
            ("judge", "hearing_resume", hid),
            ("judge", "hearing_adjourn", hid),
        ],
    )
    entries = audit_entries(server, hid)
    verified = next(e for e in entries if e["action"] == "verify_identity")
    assert verified["details"]["method"] == "Identity card shown on camera"
    muted_entry = next(e for e in entries if e["action"] == "mute")
    assert muted_entry["details"]["kind"] == "audio"
    assert not [e for e in entries if e["outcome"] != "done"], "no control was refused"
    for participant in (judge, party, clerk):
        participant.assert_no_errors()
        await participant.close()
