"""Media over the real signaling: aiortc participants publish and receive through the node,
and bad offers are refused clearly without disturbing anyone else."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.harness.rtc_client import RtcParticipant
from tests.harness.server import RunningServer
from tests.media.peers import wait_until

WAIT = 15.0  # seconds for media to arrive on a busy machine


async def until(condition: Callable[[], bool], what: str) -> None:
    await wait_until(condition, WAIT, what)


async def test_publish_receive_and_bad_offers(server: RunningServer) -> None:
    hearing = await server.create_hearing(lobby=False)
    hid = hearing["id"]
    tokens = await server.links(hid)
    alice = RtcParticipant(server.url, tokens["alice"])
    bob = RtcParticipant(server.url, tokens["bob"])
    clerk = RtcParticipant(server.url, tokens["clerk"])
    try:
        await alice.join()
        await bob.join()
        assert (await alice.publish())["ok"]
        await until(lambda: bob.publishers("video") == {"alice"}, "bob gets alice's video")
        await until(lambda: bob.publishers("audio") == {"alice"}, "bob gets alice's audio")
        status, report = await server.request("GET", f"/api/v1/hearings/{hid}/media")
        assert status == 200
        media = {p["participant_id"]: p for p in report["participants"]}
        assert media["alice"]["publishing"] and not media["bob"]["publishing"]
        assert sorted(t["kind"] for t in media["alice"]["tracks"]) == ["audio", "video"]
        assert {t["codec"] for t in media["alice"]["tracks"]} == {"opus", "VP8"}
        assert all(t["packets"] > 0 for t in media["alice"]["tracks"])
        assert media["bob"]["receiving_from"] == ["alice"]

        # Not joined (still on the join page): no media.
        await clerk.sio.connect()
        refused = await clerk.sio.call("publish", await clerk.offer())
        assert refused["error"]["code"] == "conflict"
        assert "once you are admitted" in refused["error"]["message"]
        # A second publish while the first is live.
        again = await alice.sio.call("publish", await clerk.offer())
        assert again["error"]["code"] == "conflict" and "already publishing" in again["error"][
            "message"]  # fmt: skip
        assert again["error"]["reason"] == "already_publishing"
        # Malformed SDP, a description of the wrong type, no usable codec.
        for payload, expected in [
            ({"type": "offer", "sdp": "v=0\r\nthis is not sdp"}, "malformed SDP"),
            ({"type": "answer", "sdp": "v=0"}, "expected an SDP offer"),
            ("just text", "send the SDP offer as"),
            ({"type": "offer", "sdp": _only_g722((await clerk.offer())["sdp"])}, "no codec"),
        ]:
            ack = await bob.sio.call("publish", payload)
            assert ack["ok"] is False and ack["error"]["code"] == "invalid_input", ack
            assert ack["error"]["reason"] == "invalid_sdp", ack
            assert expected in ack["error"]["message"], ack
        # Nobody else was affected: bob still receives alice, frames keep coming.
        before = bob.frames[("alice", "video")]
        await until(lambda: bob.frames[("alice", "video")] > before + 10, "frames keep coming")
        # And bob can still publish properly afterwards.
        assert (await bob.publish())["ok"]
        await until(lambda: alice.publishers("video") == {"bob"}, "alice gets bob's video")
    finally:
        for p in (alice, bob, clerk):
            await p.close()
    audit = (server.settings.data_dir / "hearings" / hid / "audit.jsonl").read_text()
    refusals = [json.loads(line) for line in audit.splitlines() if '"refused"' in line]
    assert sum(1 for e in refusals if e["action"] == "publish") == 6


def _only_g722(sdp: str) -> str:
    """The same offer with its audio offering only G722, which the node does not forward."""
    out, in_audio = [], False
    for line in sdp.split("\r\n"):
        if line.startswith("m="):
            in_audio = line.startswith("m=audio")
            if in_audio:
                parts = line.split(" ")
                line = " ".join([*parts[:3], "9"])
        elif in_audio and line.startswith(("a=rtpmap:", "a=fmtp:", "a=rtcp-fb:")):
            if not line.startswith("a=rtpmap:9 "):
                continue
        out.append(line)
    return "\r\n".join(out)
