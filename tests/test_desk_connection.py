"""The clerk's desk follows the transcript over its own connection: finals and corrections
as they happen, during the hearing and after it, without taking the clerk's place in the
hearing; nobody but the court's officers may open one."""

from __future__ import annotations

import json

import pytest
import socketio

from hearing.roles import Role
from signaling.keys import SIGNALING
from tests.harness.server import RunningServer
from tests.harness.sio import SioClient
from transcription import Segment, TranscriptLog
from transcription.pipeline import Final

PEOPLE = [{"id": "judge", "display_name": "Judge Han", "role": "judge"},
          {"id": "clerk", "display_name": "Clerk Yoon", "role": "clerk"},
          {"id": "alice", "display_name": "김민지", "role": "party"}]  # fmt: skip


async def test_a_desk_follows_captions_and_corrections_beside_the_console(
    server: RunningServer,
) -> None:
    hearing = await server.create_hearing(participants=PEOPLE, lobby=False)
    hid = hearing["id"]
    tokens = await server.links(hid)
    judge = SioClient(server.url, tokens["judge"])
    console = SioClient(server.url, tokens["clerk"])
    desk = SioClient(server.url, tokens["clerk"], auth={"desk": True})
    try:
        await desk.connect()
        assert (await desk.wait_for("hearing_state"))["state"] == "scheduled"
        for client in (judge, console):
            await client.connect()
            assert (await client.call("join"))["ok"]
        await judge.start_hearing()
        await desk.wait_for("hearing_state", lambda s: s["state"] == "in_session")

        # The clerk's console and desk are both open: the desk took no place.
        roster = (await console.call("roster"))["roster"]
        assert [p["participant_id"] for p in roster["participants"]].count("clerk") == 1
        assert console.received("session_ended") == []

        # A final segment, as the transcription delivers it: durable, then broadcast.
        log = TranscriptLog(server.settings.data_dir / "hearings" / hid)
        segment = Segment(hearing=hid, participant_id="alice", speaker="김민지", role=Role.PARTY,
                          start=3.0, end=5.5, text="증거를 제출하겠습니다")  # fmt: skip
        entry = await log.append(segment)
        signaling = server.server.app[SIGNALING]
        await signaling.send_caption(hid, Final(segment=segment, seq=entry.seq))
        caption = await desk.wait_for("caption", lambda c: c["final"])
        assert (caption["speaker_name"], caption["seq"]) == ("김민지", entry.seq)

        # The clerk corrects it on the desk; every desk hears of it, the original stays.
        status, body = await server.request(
            "POST",
            f"/api/v1/hearings/{hid}/transcript/{entry.seq}/corrections",
            json={"text": "증거를 제출하겠습니다."},
            auth=tokens["clerk"],
        )
        assert status == 201, body
        correction = await desk.wait_for("transcript_correction")
        assert correction == body
        assert (correction["seq"], correction["by"]) == (entry.seq, "clerk")
        status, _ = await server.request("GET", f"/api/v1/hearings/{hid}/transcript/json",
                                         auth=tokens["clerk"])  # fmt: skip
        assert status == 200
        (stored,) = await log.entries()
        assert stored.original_text == "증거를 제출하겠습니다" and stored.corrected
        # Corrections of what is not a segment are refused and change nothing.
        before = log.path.read_bytes()
        for seq in (str(correction["correction_seq"]), "9999", "first"):
            status, refused = await server.request(
                "POST", f"/api/v1/hearings/{hid}/transcript/{seq}/corrections",
                json={"text": "x"}, auth=tokens["clerk"],
            )  # fmt: skip
            assert status == 404 and refused["error"]["reason"] == "segment_not_found", refused
        assert log.path.read_bytes() == before

        # After adjournment the hearing's connections end; the desk stays for the review.
        assert (await judge.call("lifecycle", {"action": "adjourn"}))["ok"]
        await desk.wait_for("hearing_state", lambda s: s["state"] == "adjourned")
        await console.wait_for("session_ended")
        assert desk.client.connected and desk.received("session_ended") == []

        # Revoking the clerk's links closes her desk too.
        status, body = await server.request(
            "POST", f"/api/v1/hearings/{hid}/participants/clerk/revoke"
        )
        assert status == 200 and body["disconnected"], body
        ended = await desk.wait_for("session_ended")
        assert ended["code"] == "token_revoked", ended
    finally:
        for client in (judge, console, desk):
            await client.close()


async def test_only_officers_open_a_desk(server: RunningServer) -> None:
    hearing = await server.create_hearing(participants=PEOPLE, lobby=False)
    hid = hearing["id"]
    tokens = await server.links(hid)
    party = SioClient(server.url, tokens["alice"], auth={"desk": True})
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await party.connect()
    finally:
        await party.close()
    assert party.connect_error["code"] == "not_permitted"
    assert party.connect_error["reason"] == "role_not_permitted"
    audit = server.settings.data_dir / "hearings" / hid / "audit.jsonl"
    refused = [json.loads(line) for line in audit.read_text().splitlines()]
    assert any(
        e["action"] == "desk" and e["actor"] == "alice" and e["outcome"] == "refused"
        for e in refused
    )
