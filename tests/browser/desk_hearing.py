"""A hearing with real content for the clerk's desk: people speak Korean, Vosk transcribes
them live, every stream is recorded, and the clerk follows it on the desk.

The judge is an aiortc participant whose microphone sends an espeak-ng sentence; the party
is a Chromium page whose fake microphone plays another, over and over; the clerk joins
from the join page (camera on, microphone muted, as clerks do) and opens the desk from
the console's link, in a window of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, expect

from bench._transcription_speech import SpeechFile, make_speech, opus_silence, speak
from tests.browser.participant import MEDIA_TIMEOUT_MS, Participant, open_participant
from tests.harness.rtc_client import RtcParticipant
from tests.harness.server import RunningServer
from tests.harness.speech import SpeechTrack

__all__ = ["CAPTION_TIMEOUT_MS", "DeskHearing", "Voices", "make_voices"]

JUDGE_SAYS = "원고 측 변호인 발언하십시오."
PARTY_SAYS = "증거를 제출하겠습니다."
# Live recognition on a busy two-core machine: generous, it is not what is measured here.
CAPTION_TIMEOUT_MS = 120_000


@dataclass(frozen=True)
class Voices:
    judge: SpeechFile
    party: Path  # a WAV: Chromium's fake microphone plays it in a loop
    party_once: SpeechFile  # the same sentence, said once (an aiortc party)


def make_voices(folder: Path) -> Voices:
    return Voices(
        judge=make_speech(JUDGE_SAYS, folder, "judge", lead=0.2, trail=0.8),
        party=speak(PARTY_SAYS, folder / "party.wav"),
        party_once=make_speech(PARTY_SAYS, folder, "party", lead=0.2, trail=0.8),
    )


def people(names: dict[str, str]) -> list[dict[str, str]]:
    return [{"id": "judge", "display_name": names["judge"], "role": "judge"},
            {"id": "clerk", "display_name": names["clerk"], "role": "clerk"},
            {"id": "kim", "display_name": names["kim"], "role": "party"}]  # fmt: skip


def line(page: Page, participant_id: str) -> Any:
    """The desk's transcript lines of one speaker."""
    return page.locator(f'[data-testid="transcript-line"][data-participant-id="{participant_id}"]')


@dataclass
class DeskHearing:
    """The running hearing; each step waits for what a person would see."""

    server: RunningServer
    hearing_id: str
    tokens: dict[str, str]
    judge: RtcParticipant
    judge_voice: SpeechTrack
    clerk: Participant | None = None
    desk: Page | None = None
    party: Participant | None = None
    others: list[RtcParticipant] = field(default_factory=list)

    @classmethod
    async def create(
        cls,
        server: RunningServer,
        voices: Voices,
        names: dict[str, str],
        *,
        more: Sequence[dict[str, str]] = (),
        **hearing: Any,
    ) -> DeskHearing:
        """The hearing, open, with its judge connected; `more`: participants besides the
        judge, the clerk and the party."""
        created = await server.create_hearing(
            participants=[*people(names), *more], lobby=False, language="ko", **hearing
        )
        hid = created["id"]
        tokens = await server.links(hid)
        voice = SpeechTrack(voices.judge.packets, opus_silence(50))
        judge = RtcParticipant(server.url, tokens["judge"], audio=voice)
        await judge.join()
        assert (await judge.sio.call("lifecycle", {"action": "open"}))["ok"]
        return cls(server, hid, tokens, judge, voice)

    def link(self, pid: str, lang: str | None = None) -> str:
        query = f"?lang={lang}" if lang else ""
        return f"{self.server.url}/join{query}#token={self.tokens[pid]}"

    async def clerk_opens_desk(self, browser: Browser, *, locale: str = "en-US") -> Page:
        """The clerk joins, mutes her microphone, and opens the desk from the console."""
        clerk = await open_participant(browser, self.link("clerk"), locale=locale)
        self.clerk = clerk
        await clerk.join()
        await expect(clerk.page.get_by_test_id("console")).to_be_visible()
        await clerk.page.get_by_test_id("mic-button").click()
        async with clerk.page.context.expect_page() as opened:
            await clerk.page.get_by_test_id("desk-link").click()
        desk = await opened.value
        desk.on("pageerror", lambda e: clerk.errors.append(str(e)))
        await expect(desk.get_by_test_id("desk")).to_be_visible()
        self.desk = desk
        return desk

    async def open_desk(self, browser: Browser, *, locale: str) -> Page:
        """Another desk on the same hearing (another officer, another language)."""
        context = await browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        await page.goto(f"{self.server.url}/desk#token={self.tokens['clerk']}")
        await expect(page.get_by_test_id("desk")).to_be_visible()
        return page

    async def judge_speaks(self, desk: Page) -> None:
        """In session; the judge speaks, and the line appears on the desk."""
        assert (await self.judge.publish())["ok"]
        assert (await self.judge.sio.call("lifecycle", {"action": "start"}))["ok"]
        self.judge_voice.speak()
        await asyncio.wait_for(self.judge_voice.done.wait(), 60)
        await expect(line(desk, "judge").first).to_be_visible(timeout=CAPTION_TIMEOUT_MS)

    async def party_speaks(self, party_browser: Browser, desk: Page, *, locale: str) -> None:
        """The party joins later (her recording starts later) and speaks."""
        party = await open_participant(party_browser, self.link("kim"), locale=locale)
        self.party = party
        await party.join()
        await expect(party.page.get_by_test_id("leave-button")).to_be_visible()
        await expect(line(desk, "kim").first).to_be_visible(timeout=CAPTION_TIMEOUT_MS)
        tiles = party.page.get_by_test_id("video-tile")
        await expect(tiles.first).to_be_visible(timeout=MEDIA_TIMEOUT_MS)

    async def party_speaks_once(self, voices: Voices, desk: Page) -> RtcParticipant:
        """The party, an aiortc participant, joins later and says her sentence once."""
        voice = SpeechTrack(voices.party_once.packets, opus_silence(50))
        party = RtcParticipant(self.server.url, self.tokens["kim"], audio=voice)
        self.others.append(party)
        await party.join()
        assert (await party.publish())["ok"]
        voice.speak()
        await asyncio.wait_for(voice.done.wait(), 60)
        await expect(line(desk, "kim").first).to_be_visible(timeout=CAPTION_TIMEOUT_MS)
        return party

    async def party_leaves(self) -> None:
        assert self.party is not None
        await self.party.page.get_by_test_id("leave-button").click()
        await expect(self.party.page.get_by_test_id("screen-ended")).to_be_visible()

    async def adjourn(self) -> None:
        assert (await self.judge.sio.call("lifecycle", {"action": "adjourn"}))["ok"]

    async def close(self) -> None:
        for rtc in (self.judge, *self.others):
            await rtc.close()
        for participant in (self.party, self.clerk):
            if participant is not None:
                await participant.close()
