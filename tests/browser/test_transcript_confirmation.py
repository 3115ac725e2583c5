"""After the hearing, the people who took part confirm its transcript from their own pages,
or object to it with a note, and the clerk's desk shows who has, live. A confirmation is
of the version the person read: when the clerk corrects the transcript in between, the
page refuses it, shows the corrected version and asks to read it again."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Locator, Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.desk_hearing import DeskHearing, Voices
from tests.browser.participant import Participant, open_participant
from tests.browser.screenshots import shot
from tests.harness.server import RunningServer

NAMES = {"judge": "재판장 한", "clerk": "Clerk Yoon", "kim": "김민지"}
COUNSEL = {"id": "lee", "display_name": "Counsel Lee", "role": "counsel"}
CORRECTED = "원고 측 변호인, 발언하십시오."
CORRECTED_AGAIN = "원고 측 변호인은 발언하십시오."
OBJECTION = "The judge called on the plaintiff's counsel, not the defendant's."
REFUSED_IN_CONSOLE = "Failed to load resource: the server responded with a status of 409 (Conflict)"
# The transcript is served once the record is complete, seconds after adjournment.
TRANSCRIPT_TIMEOUT_MS = 60_000


def confirm_line(page: Page, participant_id: str) -> Locator:
    """The lines of one speaker in the page's transcript to confirm."""
    return page.locator(f'[data-testid="confirm-line"][data-participant-id="{participant_id}"]')


def person(desk: Page, participant_id: str) -> Locator:
    """One person's entry in the desk's confirmations card."""
    return desk.locator(f'[data-testid="confirmation"][data-participant-id="{participant_id}"]')


async def expect_statuses(desk: Page, statuses: dict[str, str], summary: str = "") -> None:
    """The desk's confirmations card shows each person's status, and `summary` if given."""
    for pid, status in statuses.items():
        await expect(person(desk, pid).get_by_test_id("confirmation-status")).to_have_text(status)
    if summary:
        card = desk.get_by_test_id("confirmations")
        await expect(card.get_by_test_id("confirmations-status")).to_have_text(summary)


async def correct(hearing: DeskHearing, seq: int, text: str) -> None:
    """The clerk corrects a line of the transcript through the API."""
    path = f"/api/v1/hearings/{hearing.hearing_id}/transcript/{seq}/corrections"
    status, body = await hearing.server.request(
        "POST", path, json={"text": text}, auth=hearing.tokens["clerk"]
    )
    assert status == 201, body


async def test_parties_confirm_or_object_and_the_desk_follows(
    server: RunningServer, browser: Browser, voices: Voices, output_dir: Path
) -> None:
    hearing = await DeskHearing.create(server, voices, NAMES, more=[COUNSEL])
    pages: list[Participant] = []
    try:
        desk = await hearing.clerk_opens_desk(browser)
        counsel = await open_participant(browser, hearing.link("lee"))
        pages.append(counsel)
        await counsel.join()
        cp = counsel.page
        await expect(cp.get_by_test_id("leave-button")).to_be_visible()
        await cp.get_by_test_id("mic-button").click()  # only the judge speaks
        await expect(cp.get_by_test_id("mic-button")).to_have_attribute("data-state", "off")
        await hearing.judge_speaks(desk)
        await hearing.adjourn()

        # Counsel was in the hearing: its end turns into the transcript to confirm.
        await expect(cp.get_by_test_id("ended-message")).to_have_text(
            "The hearing is adjourned. Thank you for taking part."
        )
        said = confirm_line(cp, "judge").first
        await expect(said).to_be_visible(timeout=TRANSCRIPT_TIMEOUT_MS)
        await expect(said.get_by_test_id("line-speaker")).to_have_text(NAMES["judge"])
        await expect(said).to_contain_text("(Judge)")
        await expect(said).to_contain_text("0:00:0")
        seq = int(await said.get_attribute("data-seq") or -1)
        original = (await said.get_by_test_id("line-text").text_content() or "").strip()
        assert original
        # The clerk keeps the record: she is not asked to confirm it.
        clerk = hearing.clerk
        assert clerk is not None
        await expect(clerk.page.get_by_test_id("ended-message")).to_be_visible()
        await expect(clerk.page.get_by_test_id("confirm")).to_be_hidden()

        # The desk lists everyone asked to confirm: the judge, the party and counsel.
        card = desk.get_by_test_id("confirmations")
        await expect(card.get_by_test_id("confirmation")).to_have_count(3)
        await expect_statuses(
            desk,
            dict.fromkeys(("judge", "kim", "lee"), "Waiting"),
            "Confirmed: 0 of 3. Objections: 0. Still to answer: 3.",
        )

        # The party opens her link after the hearing: no joining, the transcript to read.
        party = await open_participant(browser, hearing.link("kim"), screen="screen-ended")
        pages.append(party)
        kp = party.page
        await expect(confirm_line(kp, "judge").first).to_have_text(
            await said.text_content() or "", timeout=TRANSCRIPT_TIMEOUT_MS
        )

        # Once the record is complete (sealed), both can answer.
        for page in (kp, cp):
            await expect(
                page.get_by_role("button", name="I confirm this transcript is accurate")
            ).to_be_visible(timeout=TRANSCRIPT_TIMEOUT_MS)

        # The clerk corrects the line while both read: the party's confirmation is refused,
        # and her page shows the corrected line, marked, to read again.
        await correct(hearing, seq, CORRECTED)
        await kp.get_by_role("button", name="I confirm this transcript is accurate").click()
        await expect(kp.get_by_test_id("confirm-error")).to_have_text(
            "The transcript was corrected while you were reading it. The corrected version is "
            "shown below: read it again, then confirm it or object."
        )
        changed = confirm_line(kp, "judge").first
        await expect(changed.get_by_test_id("line-correction")).to_have_text(CORRECTED)
        await expect(changed.get_by_test_id("line-original")).to_have_text(original)
        await expect(changed.get_by_test_id("line-changed")).to_have_text(
            "Changed since you read it"
        )
        await expect(kp.get_by_test_id("confirm-result")).to_be_empty()
        await assert_accessible(kp, "party's corrected transcript to confirm")

        # Read again, she confirms; the desk shows it without being reloaded.
        await kp.get_by_role("button", name="I confirm this transcript is accurate").click()
        result = kp.get_by_test_id("confirm-result")
        await expect(result).to_contain_text("You confirmed the transcript on ")
        await expect(result).to_be_focused()
        await expect(kp.get_by_test_id("confirm-error")).to_be_empty()
        await expect(kp.get_by_test_id("confirm-actions")).to_be_hidden()
        await expect(kp.get_by_test_id("line-changed")).to_have_count(0)
        await expect_statuses(desk, {"kim": "Confirmed"})

        # Counsel objects; the page asks for the note before sending anything.
        await cp.get_by_role("button", name="I object").click()
        note = cp.get_by_label("What is wrong in the transcript?")
        await expect(note).to_be_focused()
        await cp.get_by_role("button", name="Record my objection").click()
        await expect(cp.get_by_test_id("object-note-error")).to_have_text(
            "Say what is wrong in the transcript before you send your objection."
        )
        await expect(note).to_have_attribute("aria-invalid", "true")
        await assert_accessible(cp, "counsel's objection without a note")
        await note.fill(OBJECTION)
        # Counsel read the version before the correction: refused too, the note kept.
        await cp.get_by_role("button", name="Record my objection").click()
        await expect(cp.get_by_test_id("confirm-error")).to_contain_text(
            "The transcript was corrected while you were reading it."
        )
        await expect(
            confirm_line(cp, "judge").first.get_by_test_id("line-correction")
        ).to_have_text(CORRECTED)
        await expect(note).to_have_value(OBJECTION)
        await cp.get_by_role("button", name="Record my objection").click()
        result = cp.get_by_test_id("confirm-result")
        await expect(result).to_contain_text("Your objection was recorded on ")
        await expect(result.get_by_test_id("confirm-note")).to_have_text(f"Your note: {OBJECTION}")
        lee = person(desk, "lee")
        await expect(lee.get_by_test_id("confirmation-status")).to_have_text("Objected")
        await expect(lee.get_by_test_id("confirmation-note")).to_have_text(
            f"Objection: {OBJECTION}"
        )
        await expect_statuses(
            desk, {"judge": "Waiting"}, "Confirmed: 1 of 3. Objections: 1. Still to answer: 1."
        )
        await assert_accessible(desk, "desk with confirmations")
        for who, page in (("party", kp), ("counsel", cp)):
            await assert_accessible(page, f"{who}'s answer")
        await shot(kp, output_dir / "en-party-confirmed.png", full_page=True)
        await shot(cp, output_dir / "en-counsel-objected.png", full_page=True)
        await shot(desk, output_dir / "en-desk-confirmations.png", full_page=True)

        # A correction after they answered: their answers are of an earlier version now.
        await correct(hearing, seq, CORRECTED_AGAIN)
        await expect_statuses(
            desk, {"kim": "Confirmed an earlier version", "lee": "Objected to an earlier version"}
        )
        # She opens her link again: her answer stands, and she is asked to read it again.
        again = await open_participant(browser, hearing.link("kim"), screen="screen-ended")
        pages.append(again)
        kp = again.page
        result = kp.get_by_test_id("confirm-result")
        await expect(result).to_contain_text(
            "You confirmed the transcript on ", timeout=TRANSCRIPT_TIMEOUT_MS
        )
        await expect(result.get_by_test_id("confirm-stale")).to_have_text(
            "The transcript has been corrected since then. Read it again, then confirm it or "
            "object."
        )
        await expect(
            kp.get_by_role("button", name="I confirm this transcript is accurate")
        ).to_be_visible()

        await chinese_pages(hearing, browser, output_dir)
        # The browser logs each refused request; the pages themselves raised nothing.
        for refused in (party, counsel):
            assert refused.errors == [REFUSED_IN_CONSOLE], refused.errors
        for participant in (again, clerk):
            participant.assert_no_errors()
    finally:
        for participant in pages:
            await participant.close()
        await hearing.close()


async def chinese_pages(hearing: DeskHearing, browser: Browser, output_dir: Path) -> None:
    """The party's page and the desk in Chinese, for the screenshots and the axe check."""
    party = await open_participant(
        browser, hearing.link("kim", "zh"), locale="zh-CN", screen="screen-ended"
    )
    try:
        kp = party.page
        await expect(kp.get_by_test_id("confirm")).to_contain_text("确认庭审笔录")
        await expect(kp.get_by_test_id("confirm-result")).to_contain_text(
            "此后笔录已被更正", timeout=TRANSCRIPT_TIMEOUT_MS
        )
        await kp.get_by_role("button", name="我有异议").click()
        await shot(kp, output_dir / "zh-party-confirm.png", full_page=True)
        await assert_accessible(kp, "zh party's transcript to confirm")
        party.assert_no_errors()
    finally:
        await party.close()
    desk = await hearing.open_desk(browser, locale="zh-CN")
    try:
        statuses = {
            "judge": "待确认",
            "kim": "确认的是更正前的版本",
            "lee": "对更正前的版本有异议",
        }
        await expect_statuses(desk, statuses, "已确认：0/3。异议：0。尚待答复：3。")
        await expect(person(desk, "lee").get_by_test_id("confirmation-note")).to_have_text(
            f"异议：{OBJECTION}"
        )
        # A desk opened after the hearing labels the recordings with names, not ids.
        await expect(desk.get_by_test_id("player")).to_be_visible(timeout=90_000)
        await expect(desk.get_by_test_id("recording-files")).to_contain_text(NAMES["judge"])
        await shot(desk, output_dir / "zh-desk-confirmations.png", full_page=True)
        await assert_accessible(desk, "zh desk with confirmations")
    finally:
        await desk.context.close()
