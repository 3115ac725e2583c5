"""A browser participant's fake microphone plays Korean speech (espeak-ng); the others get
captions with her name, and the clerk's transcript attributes the segments to her, at the
time she spoke, with the words Vosk reads in the audio the server received."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from playwright.async_api import Playwright, expect

from tests.browser.microphone import Microphone, microphone, replay_received
from tests.harness.browser import launch_chromium
from tests.harness.server import RunningServer
from tests.harness.sio import SioClient
from transcription import installed_models, load_model, transcribe_file

SENTENCE = "증거를 제출하겠습니다."


@pytest.fixture(scope="module")
def witness_mic(tmp_path_factory: pytest.TempPathFactory) -> Microphone:
    return microphone(SENTENCE, tmp_path_factory.mktemp("speech"), "witness")


async def test_a_browser_speaker_is_captioned_and_transcribed(
    server: RunningServer, playwright: Playwright, witness_mic: Microphone, tmp_path: Path
) -> None:
    people = [{"id": "judge", "display_name": "재판장", "role": "judge"},
              {"id": "clerk", "display_name": "Clerk Yoon", "role": "clerk"},
              {"id": "kim", "display_name": "김민지", "role": "party"}]  # fmt: skip
    hearing = await server.create_hearing(participants=people, lobby=False, language="ko")
    hid = hearing["id"]
    tokens = await server.links(hid)
    judge = await SioClient.presiding(server.url, tokens["judge"])

    # Chromium plays the file as the microphone from the moment the page takes it: a few
    # seconds of silence (to press Join), the sentence, then a long silence.
    browser = await launch_chromium(playwright, fake_audio=witness_mic.wav)
    try:
        asked = time.time()
        page = await (await browser.new_context(locale="ko-KR")).new_page()
        await page.goto(f"{server.url}/join#token={tokens['kim']}")
        await page.wait_for_function(
            "document.querySelector('[data-testid=preview-video]').videoWidth > 0"
        )
        capturing = time.time()
        await page.get_by_test_id("join-button").click()
        await expect(page.get_by_test_id("leave-button")).to_be_visible()
        final = await judge.wait_for(
            "caption", lambda c: c["final"] and c["participant_id"] == "kim", timeout=90
        )
        assert final["speaker_name"] == "김민지" and final["role"] == "party"
        assert final["text"].strip()
        partials = [c for c in judge.received("caption") if not c["final"]]
        assert partials and all(c["speaker_name"] == "김민지" for c in partials)
        # Adjourning closes her recording: the audio the server received, complete.
        assert (await judge.call("lifecycle", {"action": "adjourn"}))["ok"]
    finally:
        await browser.close()
        await judge.close()

    segments = await server.transcript(hid, tokens["clerk"])
    assert segments and {s["participant_id"] for s in segments} == {"kim"}
    # Timed inside the file's speech, on the hearing clock: the file started playing after
    # the page was opened and before its preview showed the camera; the slack covers
    # Vosk's word boundaries and the trip to the server.
    folder = server.settings.data_dir / "hearings" / hid
    ((sitting_start, _),) = json.loads((folder / "hearing.json").read_text())["sittings"]
    begin = asked - sitting_start + witness_mic.first - 0.3
    end = capturing - sitting_start + witness_mic.last + 1.0
    for s in segments:
        assert s["speaker"] == "김민지"
        assert begin <= s["start"] < s["end"] <= end, (s, begin, end)
    live = " ".join(s["text"] for s in segments)

    # The live transcript is what Vosk makes of the audio the server received. Her
    # recording holds every Opus packet as received; replayed offline through a fresh
    # pipeline, Vosk gets the same samples in the same chunks, so it reads the same words.
    (spec,) = installed_models()
    model = await asyncio.to_thread(load_model, spec)
    recordings = sorted((folder / "recordings").glob(f"{hid}_kim_s*.webm"))
    assert recordings
    assert await replay_received(model, recordings, tmp_path / "replay") == live

    # Against the file Chromium played the comparison can only be loose: Chromium
    # re-encodes the sound, and Vosk's reading of the re-encoded espeak-ng Korean differs
    # from its reading of the file by several words. They still share words.
    offline = set(transcribe_file(model, witness_mic.spoken).text.split())
    assert offline & set(live.split()), (offline, live)
