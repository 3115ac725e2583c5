"""A browser participant's fake microphone plays Korean speech (espeak-ng); the others get
captions with her name, and the clerk's transcript attributes the segments to her."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import Playwright, expect

from bench._transcription_speech import speak
from tests.harness.browser import launch_chromium
from tests.harness.server import RunningServer
from tests.harness.sio import SioClient
from transcription import installed_models, load_model, transcribe_file

SENTENCE = "증거를 제출하겠습니다."


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speak(SENTENCE, tmp_path_factory.mktemp("speech") / "witness.wav")


async def test_a_browser_speaker_is_captioned_and_transcribed(
    server: RunningServer, playwright: Playwright, speech_wav: Path
) -> None:
    people = [{"id": "judge", "display_name": "재판장", "role": "judge"},
              {"id": "clerk", "display_name": "Clerk Yoon", "role": "clerk"},
              {"id": "kim", "display_name": "김민지", "role": "party"}]  # fmt: skip
    hearing = await server.create_hearing(participants=people, lobby=False, language="ko")
    hid = hearing["id"]
    tokens = await server.links(hid)
    judge = SioClient(server.url, tokens["judge"])
    await judge.connect()
    await judge.call("join")
    for action in ("open", "start"):
        assert (await judge.call("lifecycle", {"action": action}))["ok"]

    # Chromium plays the file as the microphone, over and over.
    browser = await launch_chromium(playwright, fake_audio=speech_wav)
    try:
        page = await (await browser.new_context(locale="ko-KR")).new_page()
        await page.goto(f"{server.url}/join#token={tokens['kim']}")
        await page.get_by_test_id("join-button").click()
        await expect(page.get_by_test_id("leave-button")).to_be_visible()
        final = await judge.wait_for(
            "caption", lambda c: c["final"] and c["participant_id"] == "kim", timeout=90
        )
        assert final["speaker_name"] == "김민지" and final["role"] == "party"
        assert final["text"].strip()
        partials = [c for c in judge.received("caption") if not c["final"]]
        assert partials and all(c["speaker_name"] == "김민지" for c in partials)
    finally:
        await browser.close()
        await judge.close()

    async with server.http.get(
        f"{server.url}/api/v1/hearings/{hid}/transcript/json",
        headers={"Authorization": f"Bearer {tokens['clerk']}"},
    ) as response:
        assert response.status == 200
        data = json.loads(await response.read())
    segments = data["segments"] if isinstance(data, dict) else data
    assert segments and {s["participant_id"] for s in segments} == {"kim"}
    for s in segments:
        assert s["speaker"] == "김민지" and 0 <= s["start"] < s["end"]
    # The browser re-encodes the audio and Vosk's reading of espeak-ng Korean varies from
    # run to run, so the words are compared loosely: the live transcript shares words with
    # Vosk's offline reading of the same file.
    (spec,) = installed_models()
    offline = set(transcribe_file(load_model(spec), speech_wav).text.split())
    live = {w for s in segments for w in s["text"].split()}
    assert offline & live, (offline, live)
