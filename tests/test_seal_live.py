"""The record is sealed when the hearing is over: recordings, transcript and audit log,
signed; the clerk checks it over the API, anyone with the key checks it with
`hearing verify`; a correction after the seal keeps it valid, a changed byte does not."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from bench._transcription_speech import SpeechFile, make_speech, opus_silence
from hearing.cli import main as cli
from hearing.seal import MANIFEST
from tests.conftest import StartServer
from tests.harness.rtc_client import RtcParticipant, sitting
from tests.harness.server import RunningServer
from tests.harness.speech import SpeechTrack
from tests.media.peers import wait_until

PEOPLE = [{"id": "judge", "display_name": "재판장 한", "role": "judge"},
          {"id": "clerk", "display_name": "Clerk Yoon", "role": "clerk"},
          {"id": "kim", "display_name": "김민지", "role": "counsel"}]  # fmt: skip


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> SpeechFile:
    folder = tmp_path_factory.mktemp("speech")
    return make_speech("판결을 선고하겠습니다.", folder, "kim", lead=0.2, trail=0.5)


async def test_the_record_is_sealed_at_adjournment_and_checked(
    server: RunningServer, speech: SpeechFile, capsys: pytest.CaptureFixture[str]
) -> None:
    hearing = await server.create_hearing(participants=PEOPLE, lobby=False, language="ko")
    hid = hearing["id"]
    tokens = await server.links(hid)
    clerk = tokens["clerk"]
    mic = SpeechTrack(speech.packets, opus_silence(50), at_once=True)
    judge, kim = (
        RtcParticipant(server.url, tokens["judge"]),
        RtcParticipant(server.url, tokens["kim"], audio=mic),
    )
    verification = f"/api/v1/hearings/{hid}/record/verification"
    try:
        await sitting(judge, kim)
        await judge.sio.wait_for("caption", lambda c: bool(c["final"]), timeout=90)
        # Not sealed while it runs.
        status, body = await server.request("GET", f"/api/v1/hearings/{hid}/record/manifest",
                                            auth=clerk)  # fmt: skip
        assert status == 409 and body["error"]["reason"] == "record_not_sealed", body
        assert (await judge.sio.call("lifecycle", {"action": "adjourn"}))["ok"]
    finally:
        await judge.close()
        await kim.close()

    status, check = await server.request("GET", verification, auth=clerk)
    assert status == 200 and check["sealed"] and check["verified"], check
    folder = server.settings.data_dir / "hearings" / hid
    manifest = json.loads((folder / MANIFEST).read_text())
    sealed = {f["path"] for f in manifest["files"]} | {f["path"] for f in manifest["logs"]}
    assert {"hearing.json", "audit.jsonl", "transcript.jsonl", "recordings/index.json"} <= sealed
    assert any(p.startswith("recordings/") and p.endswith(".webm") for p in sealed)
    # The transcript was complete when sealed: every segment is under the seal.
    transcript = (folder / "transcript.jsonl").read_text().splitlines()
    assert manifest["logs"][1]["entries"] == len(transcript) >= 1
    _, key = await server.request("GET", "/api/v1/seal-key")
    assert manifest["key"]["public_key"] == key["public_key"]
    assert check["key_fingerprint"] == key["fingerprint"]
    audit = [json.loads(line) for line in (folder / "audit.jsonl").read_text().splitlines()]
    assert [e for e in audit if e["action"] == "record_sealed"][0]["details"][
        "key_fingerprint"] == key["fingerprint"]  # fmt: skip

    # The clerk downloads the manifest; a correction after the seal keeps it valid.
    url = f"{server.url}/api/v1/hearings/{hid}/record/manifest"
    async with server.http.get(url, headers={"Authorization": f"Bearer {clerk}"}) as response:
        assert response.status == 200
        assert json.loads(await response.read()) == manifest
    first = json.loads(transcript[0])["seq"]
    status, _ = await server.request(
        "POST", f"/api/v1/hearings/{hid}/transcript/{first}/corrections",
        json={"text": "판결을 선고하겠습니다"}, auth=clerk,
    )  # fmt: skip
    assert status == 201
    status, check = await server.request("GET", verification, auth=clerk)
    assert check["verified"], check
    assert "transcript.jsonl: 1 entry added after the seal, chained onto it (1 correction)" in (
        check["notes"])  # fmt: skip
    data_dir = str(server.settings.data_dir)
    assert cli(["verify", str(folder), "--data-dir", data_dir]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("VERIFIED:")
    # A party may not check it.
    status, _ = await server.request("GET", verification, auth=tokens["kim"])
    assert status == 403

    # One changed byte in a recording.
    recording = next(folder.glob("recordings/*.webm"))
    data = bytearray(recording.read_bytes())
    data[len(data) // 2] ^= 0xFF
    recording.write_bytes(bytes(data))
    status, check = await server.request("GET", verification, auth=clerk)
    assert not check["verified"] and check["problems"] == [
        f"recordings/{recording.name} was altered (SHA-256 differs)"
    ], check
    assert cli(["verify", str(folder), "--key", key["public_key"]]) == 1
    assert capsys.readouterr().out.splitlines()[-1].startswith("NOT VERIFIED: 1 problem")


async def test_a_record_left_unsealed_by_a_crash_is_sealed_at_restart(
    start: StartServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    first = await start(data_dir)
    hearing = await first.create_hearing(lobby=False)
    hid = hearing["id"]
    tokens = await first.links(hid)
    judge = RtcParticipant(first.url, tokens["judge"])
    folder = data_dir / "hearings" / hid
    try:
        await sitting(judge)
        assert (await judge.publish())["ok"]
        await wait_until(lambda: any(folder.glob("recordings/*.webm")), 30, "recording")
        await asyncio.sleep(1.0)
        assert (await judge.sio.call("lifecycle", {"action": "adjourn"}))["ok"]
    finally:
        await judge.close()
    manifest = folder / MANIFEST
    await wait_until(manifest.exists, 30, "the record is sealed")
    await first.close()
    # As if the process had died at adjournment: no playback set, no index, no seal.
    manifest.unlink()
    (folder / "recordings" / "index.json").unlink()
    shutil.rmtree(folder / "recordings" / "playback")

    second = await start(data_dir)
    await wait_until(manifest.exists, 30, "sealed at restart")
    status, check = await second.request("GET", f"/api/v1/hearings/{hid}/record/verification")
    assert status == 200 and check["verified"], check
    sealed = {f["path"] for f in json.loads(manifest.read_text())["files"]}
    assert "recordings/index.json" in sealed  # the index was made before the seal
    assert any(p.startswith("recordings/playback/") for p in sealed)
