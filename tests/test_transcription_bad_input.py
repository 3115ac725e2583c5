"""Bad input to live transcription over the real server: a model directory that is missing
or corrupt, and a speaker whose audio stops mid-word. (An unsupported language is in
test_transcription_live.py; silent tracks and the model errors themselves are covered
in tests/transcription/.)"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from bench._transcription_speech import PACKET_SECONDS, make_speech, opus_silence
from tests.conftest import StartServer
from tests.harness.rtc_client import RtcParticipant, sitting
from tests.harness.server import RunningServer
from tests.harness.sio import SioClient
from tests.harness.speech import SpeechTrack
from transcription import installed_models
from transcription.errors import ModelNotFound

PEOPLE = [{"id": "judge", "display_name": "재판장 한", "role": "judge"},
          {"id": "clerk", "display_name": "Clerk Yoon", "role": "clerk"},
          {"id": "kim", "display_name": "김민지", "role": "counsel"}]  # fmt: skip


async def open_hearing(server: RunningServer) -> tuple[str, dict[str, object]]:
    """A Korean hearing; the judge asks to open it. Returns its id and the judge's ack."""
    hearing = await server.create_hearing(participants=PEOPLE, lobby=False, language="ko")
    tokens = await server.links(hearing["id"])
    judge = SioClient(server.url, tokens["judge"])
    try:
        await judge.connect()
        await judge.call("join")
        ack: dict[str, object] = await judge.call("lifecycle", {"action": "open"})
    finally:
        await judge.close()
    return hearing["id"], ack


def broken_model(folder: Path) -> Path:
    """A model directory with the right file names but files Vosk cannot read."""
    (spec,) = installed_models()
    shutil.copytree(spec.path / "conf", folder / "conf")
    (folder / "am").mkdir()
    (folder / "am" / "final.mdl").write_bytes(b"\x00not a kaldi model" * 100)
    (folder / "graph").mkdir()
    (folder / "graph" / "HCLG.fst").write_bytes(b"garbage" * 100)
    return folder


async def state_of(server: RunningServer, hearing_id: str) -> str:
    status, body = await server.request("GET", f"/api/v1/hearings/{hearing_id}")
    assert status == 200, body
    return str(body["state"])


async def test_a_missing_model_directory_is_a_startup_error(
    start: StartServer, tmp_path: Path
) -> None:
    missing = tmp_path / "models" / "ko"
    with pytest.raises(ModelNotFound) as refused:
        await start(vosk_model=(f"ko={missing}",))
    # The message says which directory and which flag to fix.
    assert str(missing) in refused.value.message and "--vosk-model" in refused.value.message


async def test_a_model_directory_gone_keeps_its_hearings_from_opening(
    start: StartServer, tmp_path: Path
) -> None:
    (spec,) = installed_models()
    there = tmp_path / "models" / "ko"
    there.parent.mkdir()
    there.symlink_to(spec.path)
    server = await start(vosk_model=(f"ko={there}",))
    there.unlink()  # the model's directory went away while the server ran
    hearing_id, ack = await open_hearing(server)
    assert ack["ok"] is False, ack
    error = ack["error"]
    assert isinstance(error, dict) and error["code"] == "model_not_found", error
    assert str(there) in error["message"] and "--vosk-model" in error["message"], error
    assert await state_of(server, hearing_id) == "scheduled"


async def test_a_corrupt_model_keeps_its_hearings_from_opening(
    start: StartServer, tmp_path: Path
) -> None:
    broken = broken_model(tmp_path / "broken")
    server = await start(vosk_model=(f"ko={broken}",))
    hearing_id, ack = await open_hearing(server)
    assert ack["ok"] is False, ack
    error = ack["error"]
    assert isinstance(error, dict) and error["code"] == "model_corrupt", error
    assert str(broken) in error["message"], error
    assert await state_of(server, hearing_id) == "scheduled"


async def test_a_speaker_cut_off_mid_word_keeps_what_she_said(
    server: RunningServer, tmp_path: Path
) -> None:
    speech = make_speech("원고 측 변호인 발언하십시오.", tmp_path, "counsel", lead=0.2)
    # Her microphone sends the sentence up to 60% of the way through, and she is gone.
    cut = speech.lead + 0.6 * (speech.speech_end - speech.lead)
    track = SpeechTrack(
        speech.packets[: round(cut / PACKET_SECONDS)], opus_silence(50), at_once=True
    )
    hearing = await server.create_hearing(participants=PEOPLE, lobby=False, language="ko")
    hid = hearing["id"]
    tokens = await server.links(hid)
    judge = RtcParticipant(server.url, tokens["judge"])
    kim = RtcParticipant(server.url, tokens["kim"], audio=track)
    try:
        await sitting(judge, kim)
        await asyncio.wait_for(track.done.wait(), 30)
        # Gone at once: no silence follows her last word for the voice gate to end the
        # utterance on; her track ending must.
        await kim.close()
        final = await judge.sio.wait_for(
            "caption", lambda c: c["final"] and c["participant_id"] == "kim", timeout=30
        )
        assert final["text"].strip() and final["speaker_name"] == "김민지"
    finally:
        await kim.close()
        await judge.close()

    folder = server.settings.data_dir / "hearings" / hid
    ((sitting_start, _),) = json.loads((folder / "hearing.json").read_text())["sittings"]
    assert track.spoke_at is not None
    began = track.spoke_at - sitting_start  # hearing-clock time her file started
    # Decoded right up to where her audio stopped: the last word ends near the cut.
    assert began + cut - 0.5 <= final["end"] <= began + cut + 0.3, (final, began, cut)
    stored = [json.loads(line) for line in (folder / "transcript.jsonl").read_text().splitlines()]
    assert final["seq"] in [entry["seq"] for entry in stored]


async def test_a_model_broken_after_opening_is_reported_to_the_court(
    start: StartServer, tmp_path: Path
) -> None:
    # The hearing opened with a good model; the server restarted with a broken one (the
    # directory was damaged or replaced in between).
    data_dir = tmp_path / "data"
    first = await start(data_dir)
    hearing_id, ack = await open_hearing(first)
    assert ack["ok"] is True, ack
    tokens = await first.links(hearing_id)
    await first.close()
    broken = broken_model(tmp_path / "broken")
    server = await start(data_dir, vosk_model=(f"ko={broken}",))
    judge = RtcParticipant(server.url, tokens["judge"])
    kim = RtcParticipant(server.url, tokens["kim"])
    try:
        await judge.join()
        assert (await judge.sio.call("lifecycle", {"action": "start"}))["ok"]
        await kim.join()
        assert (await kim.publish())["ok"]
        alert = await judge.sio.wait_for("transcription_alert", timeout=60)
        assert alert["participant_id"] == "kim" and str(broken) in alert["message"], alert
    finally:
        await judge.close()
        await kim.close()
    audit = data_dir / "hearings" / hearing_id / "audit.jsonl"
    entries = [json.loads(line) for line in audit.read_text().splitlines()]
    failed = [e for e in entries if e["action"] == "transcription_failed"]
    assert failed and failed[0]["target"] == "kim" and failed[0]["outcome"] == "failed"
