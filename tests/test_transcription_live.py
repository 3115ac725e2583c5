"""Live transcription over the real server: a participant speaks Korean through WebRTC; the
others see captions with the speaker's name; the clerk downloads the transcript."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docx
import pytest

from bench._transcription_speech import SpeechFile, make_speech, opus_silence
from tests.harness.rtc_client import RtcParticipant
from tests.harness.server import RunningServer
from tests.harness.speech import SpeechTrack
from transcription import installed_models, load_model, transcribe_file

COUNSEL = "원고 측 변호인 발언하십시오."
WITNESS = "증거를 제출하겠습니다."
PEOPLE = [{"id": "judge", "display_name": "재판장 한", "role": "judge"},
          {"id": "clerk", "display_name": "Clerk Yoon", "role": "clerk"},
          {"id": "kim", "display_name": "김민지", "role": "counsel"},
          {"id": "park", "display_name": "박서준", "role": "witness"}]  # fmt: skip


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, SpeechFile]]:
    folder = tmp_path_factory.mktemp("speech")
    yield {"kim": make_speech(COUNSEL, folder, "kim", lead=0.2, trail=0.5),
           "park": make_speech(WITNESS, folder, "park", lead=0.2, trail=0.5)}  # fmt: skip


def offline_text(path: Path) -> str:
    """What Vosk makes of the file decoded directly."""
    (spec,) = installed_models()
    return transcribe_file(load_model(spec), path).text


async def test_two_speakers_attributed_captioned_and_downloaded(
    server: RunningServer, speech: dict[str, SpeechFile]
) -> None:
    hearing = await server.create_hearing(participants=PEOPLE, lobby=False, language="ko")
    hid = hearing["id"]
    tokens = await server.links(hid)
    silence = opus_silence(50)
    # Each speaker's microphone starts with their speech file, so the server receives the
    # file's packets exactly as the offline decoder reads them.
    tracks = {pid: SpeechTrack(speech[pid].packets, silence, at_once=True)
              for pid in ("kim", "park")}  # fmt: skip
    people = {pid: RtcParticipant(server.url, tokens[pid], audio=tracks.get(pid))
              for pid in ("judge", "kim", "park")}  # fmt: skip
    try:
        for p in people.values():
            await p.join()
        judge = people["judge"]
        await judge.sio.start_hearing()
        ack = await judge.sio.call("control", {"action": "call_witness", "participant_id": "park"})
        assert ack == {"ok": True}
        # They speak in turn: counsel, then the witness.
        for pid in ("kim", "park"):
            mark = judge.sio.mark()
            assert (await people[pid].publish())["ok"]
            await asyncio.wait_for(tracks[pid].done.wait(), 30)
            final = await judge.sio.wait_for("caption", final_of(pid), timeout=90, after=mark)
            assert final["speaker_name"] == {"kim": "김민지", "park": "박서준"}[pid]
        partials = [c for c in judge.sio.received("caption") if not c["final"]]
        assert {c["participant_id"] for c in partials} == {"kim", "park"}
    finally:
        for p in people.values():
            await p.close()

    # The transcript, as the clerk downloads it during the hearing.
    clerk = tokens["clerk"]
    status, _ = await server.request("GET", f"/api/v1/hearings/{hid}/transcript/json", auth=clerk)
    assert status == 200
    segments = await server.transcript(hid, clerk)
    speakers = [s["participant_id"] for s in segments]
    assert speakers == sorted(speakers, key=lambda p: ["kim", "park"].index(p)), speakers
    stored = json.loads((server.settings.data_dir / "hearings" / hid / "hearing.json").read_text())
    sitting_start = stored["sittings"][0][0]
    for pid in ("kim", "park"):
        mine = [s for s in segments if s["participant_id"] == pid]
        text = " ".join(s["text"] for s in mine)
        # The live pipeline does not damage what the model can do with the same audio:
        # over WebRTC and through the node, Vosk reads the words it reads in the file.
        assert text == offline_text(speech[pid].ogg), pid
        spoke = tracks[pid].spoke_at
        assert spoke is not None
        begin = spoke - sitting_start  # hearing-clock time the speech file started
        length = speech[pid].speech_end
        for s in mine:
            assert begin - 0.1 <= s["start"] < s["end"] <= begin + length + 0.3, (s, begin)
            assert s["speaker"] == {"kim": "김민지", "park": "박서준"}[pid]
    txt = await _download(server, hid, "txt", clerk)
    text = txt.decode("utf-8")
    assert hearing["case_number"] in text and "Seoul Central District Court" in text
    assert "김민지 (counsel):" in text and "박서준 (witness):" in text
    for fmt in ("vtt", "srt"):
        assert "김민지" in (await _download(server, hid, fmt, clerk)).decode("utf-8")
    document = docx.Document(io.BytesIO(await _download(server, hid, "docx", clerk)))
    assert any("박서준" in p.text for p in document.paragraphs)
    # A party may not download it.
    status, body = await server.request(
        "GET", f"/api/v1/hearings/{hid}/transcript/txt", auth=tokens["kim"]
    )
    assert status == 403


async def _download(server: RunningServer, hid: str, fmt: str, token: str) -> bytes:
    async with server.http.get(
        f"{server.url}/api/v1/hearings/{hid}/transcript/{fmt}",
        headers={"Authorization": f"Bearer {token}"},
    ) as response:
        assert response.status == 200, await response.text()
        return await response.read()


def final_of(participant_id: str) -> Callable[[Any], bool]:
    return lambda c: bool(c["final"] and c["participant_id"] == participant_id)


async def test_a_hearing_in_a_language_without_a_model_cannot_open(server: RunningServer) -> None:
    hearing = await server.create_hearing(language="fr")
    tokens = await server.links(hearing["id"])
    judge = RtcParticipant(server.url, tokens["judge"])
    try:
        await judge.join()
        refused = await judge.sio.call("lifecycle", {"action": "open"})
        assert refused["ok"] is False and refused["error"]["code"] == "unsupported_language"
        assert "fr" in refused["error"]["message"] and "ko" in refused["error"]["message"]
    finally:
        await judge.close()
    status, body = await server.request("GET", f"/api/v1/hearings/{hearing['id']}")
    assert body["state"] == "scheduled"
