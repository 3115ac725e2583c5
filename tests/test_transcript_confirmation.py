"""After the hearing, its participants confirm the transcript or object to it: each
confirmation is of the version they read, a refusal changes nothing and is audited, the
clerk's desk sees each as it comes, and the sealed record stays valid."""

from __future__ import annotations

import json
from typing import Any

from hearing.roles import Role
from signaling.keys import SEALER
from tests.harness.server import RunningServer
from tests.harness.sio import SioClient
from transcription import Segment, TranscriptLog

PEOPLE = [{"id": "judge", "display_name": "Judge Han", "role": "judge"},
          {"id": "clerk", "display_name": "Clerk Yoon", "role": "clerk"},
          {"id": "kim", "display_name": "김민지", "role": "counsel"},
          {"id": "wang", "display_name": "王小明", "role": "party"},
          {"id": "lee", "display_name": "이서연", "role": "witness"},
          {"id": "obs", "display_name": "Press", "role": "observer"}]  # fmt: skip
MINE = "/api/v1/session/transcript"
CONFIRM = MINE + "/confirmation"


def audit(server: RunningServer, hid: str) -> list[dict[str, Any]]:
    path = server.settings.data_dir / "hearings" / hid / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_participants_confirm_or_object_to_the_version_they_read(
    server: RunningServer,
) -> None:
    hearing = await server.create_hearing(participants=PEOPLE, lobby=False, public=True)
    hid = hearing["id"]
    tokens = await server.links(hid)
    judge = SioClient(server.url, tokens["judge"])
    desk = SioClient(server.url, tokens["clerk"], auth={"desk": True})
    log = TranscriptLog(server.settings.data_dir / "hearings" / hid)
    try:
        await desk.connect()
        await judge.connect()
        assert (await judge.call("join"))["ok"]
        await judge.start_hearing()
        # Two final segments, as the transcription writes them.
        said = [("kim", "김민지", Role.COUNSEL, 2.0, "증거를 제출하겠습니다"),
                ("wang", "王小明", Role.PARTY, 6.0, "我 没有 签 这份 合同")]  # fmt: skip
        for pid, name, role, start, text in said:
            await log.append(Segment(hearing=hid, participant_id=pid, speaker=name, role=role,
                                     start=start, end=start + 2, text=text))  # fmt: skip

        # Not while the hearing runs: the transcript is not complete.
        status, body = await server.request("GET", MINE, auth=tokens["kim"])
        assert status == 409 and body["error"]["reason"] == "hearing_not_adjourned", body
        assert (await judge.call("lifecycle", {"action": "adjourn"}))["ok"]
        # Until its record is complete (sealed) it can be read, not yet answered.
        status, body = await server.request("GET", MINE, auth=tokens["kim"])
        assert status == 200 and body["complete"] in (True, False), body
        await server.server.app[SEALER].sealed(hid)

        # The clerk (who keeps the transcript) and observers are not asked to confirm it.
        for who in ("clerk", "obs"):
            status, body = await server.request("GET", MINE, auth=tokens[who])
            assert status == 403 and body["error"]["reason"] == "role_not_permitted", body

        status, read = await server.request("GET", MINE, auth=tokens["kim"])
        assert status == 200 and read["complete"], read
        assert [(s["speaker"], s["text"]) for s in read["segments"]] == [
            ("김민지", "증거를 제출하겠습니다"), ("王小明", "我 没有 签 这份 合同")]  # fmt: skip
        assert read["head"]["entries"] == 2 and read["confirmation"] is None
        status, listed = await server.request(
            "GET", f"/api/v1/hearings/{hid}/transcript/confirmations", auth=tokens["clerk"]
        )
        assert status == 200, listed
        asked = [(p["participant_id"], p["status"]) for p in listed["participants"]]
        assert asked == [(pid, "pending") for pid in ("judge", "kim", "wang", "lee")]

        # An objection needs a note; without one nothing is written.
        before = log.path.read_bytes()
        status, body = await server.request(
            "POST",
            CONFIRM,
            auth=tokens["wang"],
            json={"decision": "objected", "head": read["head"]},
        )
        assert status == 422 and body["error"]["reason"] == "note_required", body
        assert log.path.read_bytes() == before
        mark = desk.mark()
        status, objection = await server.request("POST", CONFIRM, auth=tokens["wang"], json={
            "decision": "objected", "note": "应为“签署”", "head": read["head"]})  # fmt: skip
        assert status == 201, objection
        assert (objection["decision"], objection["note"], objection["current"]) == (
            "objected", "应为“签署”", True)  # fmt: skip
        sent = await desk.wait_for("transcript_confirmation", after=mark)
        assert sent == objection

        status, confirmed = await server.request("POST", CONFIRM, auth=tokens["kim"], json={
            "decision": "confirmed", "head": read["head"]})  # fmt: skip
        assert status == 201 and confirmed["speaker"] == "김민지", confirmed

        # The clerk corrects the line objected to: kim's confirmation is of the old text.
        wang_line = read["segments"][1]["seq"]
        status, _ = await server.request(
            "POST", f"/api/v1/hearings/{hid}/transcript/{wang_line}/corrections",
            auth=tokens["clerk"], json={"text": "我没有签署这份合同"},
        )  # fmt: skip
        assert status == 201
        status, again = await server.request("GET", MINE, auth=tokens["kim"])
        assert again["confirmation"]["decision"] == "confirmed"
        assert again["confirmation"]["current"] is False
        assert again["head"] != read["head"]
        assert again["segments"][1]["corrected"] and again["segments"][1]["text"] == (
            "我没有签署这份合同")  # fmt: skip

        # Confirming what she read before the correction is refused and changes nothing.
        before = log.path.read_bytes()
        status, body = await server.request("POST", CONFIRM, auth=tokens["kim"], json={
            "decision": "confirmed", "head": read["head"]})  # fmt: skip
        assert status == 409 and body["error"]["reason"] == "transcript_changed", body
        assert log.path.read_bytes() == before
        status, confirmed = await server.request("POST", CONFIRM, auth=tokens["kim"], json={
            "decision": "confirmed", "head": again["head"]})  # fmt: skip
        assert status == 201 and confirmed["current"], confirmed

        status, listed = await server.request(
            "GET", f"/api/v1/hearings/{hid}/transcript/confirmations", auth=tokens["judge"]
        )
        rows = {p["participant_id"]: p for p in listed["participants"]}
        assert (rows["kim"]["status"], rows["kim"]["current"]) == ("confirmed", True)
        assert (rows["wang"]["status"], rows["wang"]["current"]) == ("objected", False)
        assert rows["wang"]["note"] == "应为“签署”"
        assert rows["judge"]["status"] == rows["lee"]["status"] == "pending"
        # The transcript the clerk downloads now ends with who confirmed it.
        url = f"{server.url}/api/v1/hearings/{hid}/transcript/txt"
        bearer = {"Authorization": f"Bearer {tokens['clerk']}"}
        async with server.http.get(url, headers=bearer) as response:
            downloaded = (await response.read()).decode("utf-8").splitlines()
        block = downloaded[downloaded.index("CONFIRMATION BY THE PARTICIPANTS") + 1 :]
        signed = [line.split(":")[0].strip() for line in block]
        assert signed == ["Judge Han (judge)", "김민지 (counsel)", "王小明 (party)",
                       "이서연 (witness)"]  # fmt: skip
        assert block[0].endswith("not confirmed") and " confirmed on " in block[1]
        assert "objected on" in block[2] and block[2].endswith(
            ", before a later correction: 应为“签署”")  # fmt: skip
        # Parties may not see the others' confirmations.
        status, _ = await server.request(
            "GET", f"/api/v1/hearings/{hid}/transcript/confirmations", auth=tokens["wang"]
        )
        assert status == 403
    finally:
        await judge.close()
        await desk.close()

    entries = audit(server, hid)
    done = [(e["actor"], e["action"]) for e in entries if e["outcome"] == "done"]
    assert [a for a in done if a[1].startswith("transcript_")] == [
        ("wang", "transcript_objected"), ("kim", "transcript_confirmed"),
        ("clerk", "transcript_corrected"), ("kim", "transcript_confirmed")]  # fmt: skip
    refused = [(e["actor"], e["action"], e["details"]["reason"])
               for e in entries if e["outcome"] == "refused"]  # fmt: skip
    assert refused == [
        ("kim", "read_transcript", "hearing_not_adjourned"),
        ("clerk", "read_transcript", "role_not_permitted"),
        ("obs", "read_transcript", "role_not_permitted"),
        ("wang", "confirm_transcript", "note_required"),
        ("kim", "confirm_transcript", "transcript_changed"),
    ]

    # Confirmations are chained on after the seal: the record still verifies.
    status, check = await server.request(
        "GET", f"/api/v1/hearings/{hid}/record/verification", auth=tokens["clerk"]
    )
    assert status == 200 and check["sealed"] and check["verified"], check
