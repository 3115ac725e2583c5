"""What a participant says while the court has muted them is not in the record: no audio
in their recording for that time, and no words in the transcript."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bench._transcription_speech import SpeechFile, make_speech, opus_silence
from tests.harness.recordings import recorded_audio
from tests.harness.rtc_client import RtcParticipant, sitting
from tests.harness.server import RunningServer
from tests.harness.speech import SpeechTrack
from tests.media.peers import wait_until
from tests.test_controls_media import control, stopped

PEOPLE = [{"id": "judge", "display_name": "재판장 한", "role": "judge"},
          {"id": "kim", "display_name": "김민지", "role": "counsel"}]  # fmt: skip


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> SpeechFile:
    folder = tmp_path_factory.mktemp("speech")
    return make_speech("증거를 제출하겠습니다.", folder, "kim", lead=0.2, trail=0.5)


def audit(server: RunningServer, hid: str) -> list[dict[str, Any]]:
    path = server.settings.data_dir / "hearings" / hid / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_speech_while_muted_is_neither_recorded_nor_transcribed(
    server: RunningServer, speech: SpeechFile
) -> None:
    hearing = await server.create_hearing(participants=PEOPLE, lobby=False, language="ko")
    hid = hearing["id"]
    tokens = await server.links(hid)
    mic = SpeechTrack(speech.packets, opus_silence(50))
    judge = RtcParticipant(server.url, tokens["judge"])
    kim = RtcParticipant(server.url, tokens["kim"], audio=mic)
    try:
        await sitting(judge, kim)
        await wait_until(lambda: judge.frames[("kim", "audio")] > 25, 15, "the judge hears kim")

        await control(judge, action="mute", participant_id="kim", kind="audio")
        await stopped(judge, ("kim", "audio"))
        mic.speak()  # she speaks into a microphone the court has muted
        await asyncio.wait_for(mic.done.wait(), 30)
        await asyncio.sleep(0.5)  # her last words have reached the node
        await control(judge, action="request_unmute", participant_id="kim", kind="audio")
        before = judge.frames[("kim", "audio")]
        await wait_until(lambda: judge.frames[("kim", "audio")] > before + 25, 15, "unmuted")

        # Unmuted, the same words are heard, transcribed and recorded.
        mic.done.clear()
        mark = judge.sio.mark()
        mic.speak()
        await asyncio.wait_for(mic.done.wait(), 30)
        final = await judge.sio.wait_for(
            "caption", lambda c: bool(c["final"]), timeout=90, after=mark
        )
        assert final["participant_id"] == "kim"
        assert (await judge.sio.call("lifecycle", {"action": "adjourn"}))["ok"]
    finally:
        await judge.close()
        await kim.close()

    entries = audit(server, hid)
    muted_at = next(e["clock"] for e in entries if e["action"] == "mute")
    unmuted_at = next(e["clock"] for e in entries if e["action"] == "request_unmute")
    assert unmuted_at - muted_at > speech.speech_end  # her speech fell inside the mute

    transcript = server.settings.data_dir / "hearings" / hid / "transcript.jsonl"
    lines = [json.loads(line) for line in transcript.read_text().splitlines()]
    segments = [e["segment"] for e in lines if "segment" in e]
    assert segments, "the speech after the unmute is transcribed"
    for s in segments:
        assert s["start"] >= unmuted_at, (s, muted_at, unmuted_at)

    times = await recorded_audio(server, hid, tokens["judge"], "kim")
    assert any(t < muted_at for t in times) and any(t > unmuted_at for t in times), times
    inside = [t for t in times if muted_at + 0.5 < t < unmuted_at - 0.1]
    assert not inside, (muted_at, unmuted_at, inside[:5])
