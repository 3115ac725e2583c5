"""Two browser participants speak in turn, each from her own Chromium whose fake microphone
plays a different espeak-ng Korean sentence; the clerk's transcript attributes every segment
to the one who said it, at the time she said it, in order."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.async_api import Browser, Playwright, expect

from tests.browser.microphone import Microphone, microphone
from tests.browser.participant import open_participant
from tests.harness.browser import launch_chromium
from tests.harness.server import RunningServer
from tests.harness.sio import SioClient
from transcription import installed_models, load_model, transcribe_file

SPEAKERS = {"kim": ("김민지", "counsel", "원고 측 변호인 발언하십시오."),
            "park": ("박서준", "party", "증거를 제출하겠습니다.")}  # fmt: skip


@pytest.fixture(scope="module")
def microphones(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Microphone]:
    folder = tmp_path_factory.mktemp("voices")
    return {pid: microphone(sentence, folder, pid) for pid, (_, _, sentence) in SPEAKERS.items()}


@dataclass
class Turn:
    """When (wall clock) a speaker's page asked for the microphone, and when it had it."""

    asked: float
    capturing: float = 0.0


def final_of(pid: str) -> Callable[[Any], bool]:
    return lambda c: bool(c["final"] and c["participant_id"] == pid)


async def test_two_speakers_in_turn_are_attributed_segment_by_segment(
    server: RunningServer, playwright: Playwright, microphones: dict[str, Microphone]
) -> None:
    people = [{"id": "judge", "display_name": "재판장", "role": "judge"},
              {"id": "clerk", "display_name": "Clerk Yoon", "role": "clerk"}]  # fmt: skip
    people += [{"id": pid, "display_name": name, "role": role}
               for pid, (name, role, _) in SPEAKERS.items()]  # fmt: skip
    hearing = await server.create_hearing(participants=people, lobby=False, language="ko")
    hid = hearing["id"]
    tokens = await server.links(hid)
    judge = await SioClient.presiding(server.url, tokens["judge"])

    # --use-file-for-fake-audio-capture is per browser process: one Chromium per speaker.
    launched = await asyncio.gather(
        *(launch_chromium(playwright, fake_audio=m.wav) for m in microphones.values())
    )
    browsers: dict[str, Browser] = dict(zip(microphones, launched, strict=True))
    turns: dict[str, Turn] = {}
    try:
        # Kim takes the microphone, speaks and mutes herself; only then does Park take hers.
        for pid in SPEAKERS:
            turn = turns[pid] = Turn(asked=time.time())
            person = await open_participant(
                browsers[pid], f"{server.url}/join#token={tokens[pid]}", locale="ko-KR"
            )
            page = person.page
            # The preview shows the camera once the page has the devices: the file is playing.
            await page.wait_for_function(
                "document.querySelector('[data-testid=preview-video]').videoWidth > 0"
            )
            turn.capturing = time.time()
            mark = judge.mark()
            await person.join()
            await expect(page.get_by_test_id("leave-button")).to_be_visible()
            await judge.wait_for("caption", final_of(pid), timeout=90, after=mark)
            # Captions during her turn are hers alone (the one before her has muted).
            during = {d["participant_id"] for e, d in judge.events[mark:] if e == "caption"}
            assert during == {pid}, during
            mute = page.get_by_test_id("mic-button")
            await mute.click()
            await expect(mute).to_have_attribute("data-state", "off")
        assert (await judge.call("lifecycle", {"action": "adjourn"}))["ok"]
    finally:
        for browser in browsers.values():
            await browser.close()
        await judge.close()

    segments = await server.transcript(hid, tokens["clerk"])
    assert [s["participant_id"] for s in segments] == sorted(
        (s["participant_id"] for s in segments), key=list(SPEAKERS).index
    ), segments
    assert {s["participant_id"] for s in segments} == set(SPEAKERS), segments
    starts = [s["start"] for s in segments]
    assert starts == sorted(starts), segments
    # Kim's words all end before Park's begin: no segment overlaps the other speaker's.
    kim = [s for s in segments if s["participant_id"] == "kim"]
    park = [s for s in segments if s["participant_id"] == "park"]
    assert max(s["end"] for s in kim) <= min(s["start"] for s in park), segments

    # Every segment lies where its speaker's file sounded, on the hearing clock. The file
    # started playing after the page was opened and by the time the preview showed; the
    # slack covers Vosk's word boundaries and the trip to the server.
    stored = json.loads((server.settings.data_dir / "hearings" / hid / "hearing.json").read_text())
    ((sitting_start, _),) = stored["sittings"]
    for s in segments:
        pid = s["participant_id"]
        turn, mic = turns[pid], microphones[pid]
        begin = turn.asked - sitting_start + mic.first - 0.3
        end = turn.capturing - sitting_start + mic.last + 1.0
        assert begin <= s["start"] < s["end"] <= end, (s, begin, end)
        name, role, _ = SPEAKERS[pid]
        assert (s["speaker"], s["role"]) == (name, role)

    # And it says words of its speaker's file rather than the other's: more of its words
    # are in Vosk's offline reading of the file its speaker played. (Chromium re-encodes
    # the sound, and Vosk's reading of espeak-ng Korean changes with the slightest change
    # of the audio, so it is not expected to match word for word; see
    # test_transcribed_browser.py for the exact comparison with the audio received.)
    (spec,) = installed_models()
    model = await asyncio.to_thread(load_model, spec)
    readings: dict[str, set[str]] = {}
    for pid, mic in microphones.items():
        offline = await asyncio.to_thread(transcribe_file, model, mic.spoken)
        readings[pid] = set(offline.text.split())
    for s in segments:
        words = s["text"].split()
        own = sum(w in readings[s["participant_id"]] for w in words)
        other = max(
            sum(w in r for w in words) for p, r in readings.items() if p != s["participant_id"]
        )
        assert own > other, (s["text"], readings)
