"""The judge's controls, enforced by the media node: mutes, sequestered witnesses, caucuses."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from tests.harness.recordings import recorded_audio
from tests.harness.rtc_client import RtcParticipant
from tests.harness.server import RunningServer
from tests.media.peers import wait_until

WAIT = 15.0  # seconds for media to arrive on a busy machine


async def until(condition: Callable[[], bool], what: str) -> None:
    await wait_until(condition, WAIT, what)


def grows(p: RtcParticipant, key: tuple[str, str], above: int) -> Callable[[], bool]:
    return lambda: p.frames[key] > above


async def stopped(p: RtcParticipant, key: tuple[str, str], quiet: float = 0.3) -> float:
    """Seconds until frames of `key` stop arriving at `p` (no new frame for `quiet` s)."""
    start = time.monotonic()
    last, changed = p.frames[key], time.monotonic()
    while time.monotonic() - changed < quiet:
        await asyncio.sleep(0.01)
        if p.frames[key] != last:
            last, changed = p.frames[key], time.monotonic()
        assert time.monotonic() - start < 5, f"{key} never stopped"
    return changed - start


async def hearing_with(server: RunningServer, people: list[tuple[str, str]], **kw: Any) -> str:
    participants = [{"id": pid, "display_name": pid.title(), "role": role} for pid, role in people]
    hearing = await server.create_hearing(participants=participants, lobby=False, **kw)
    return str(hearing["id"])


async def start(server: RunningServer, hid: str, ids: list[str]) -> dict[str, RtcParticipant]:
    tokens = await server.links(hid)
    people = {pid: RtcParticipant(server.url, tokens[pid]) for pid in ids}
    for p in people.values():
        await p.join()
    judge = next(p for pid, p in people.items() if pid in ("judge", "mediator"))
    await judge.sio.start_hearing()
    return people


async def control(p: RtcParticipant, **data: Any) -> None:
    ack = await p.sio.call("control", data)
    assert ack == {"ok": True}, ack


async def test_a_muted_microphone_stops_reaching_everyone(server: RunningServer) -> None:
    hid = await hearing_with(server, [("judge", "judge"), ("alice", "party"), ("bob", "party"),
                                      ("carol", "counsel")])  # fmt: skip
    people = await start(server, hid, ["judge", "alice", "bob", "carol"])
    try:
        for p in people.values():
            assert (await p.publish())["ok"]
        for pid in ("judge", "bob", "carol"):
            await until(grows(people[pid], ("alice", "audio"), 0), f"{pid} hears alice")
        notice = people["alice"].sio
        await control(people["judge"], action="mute", participant_id="alice", kind="audio")
        muted_at = time.monotonic()
        delays = [await stopped(people[pid], ("alice", "audio")) for pid in ("judge", "bob")]
        assert max(delays) < 0.5, delays
        assert time.monotonic() - muted_at < 5
        assert (await notice.wait_for("muted"))["kind"] == "audio"
        # Her camera still reaches everyone.
        before = people["carol"].frames[("alice", "video")]
        await until(lambda: people["carol"].frames[("alice", "video")] > before + 5, "video")
        # Asking her to unmute lets her microphone through again.
        await control(people["judge"], action="request_unmute", participant_id="alice",
                      kind="audio")  # fmt: skip
        assert (await notice.wait_for("unmute_requested"))["kind"] == "audio"
        before = people["bob"].frames[("alice", "audio")]
        await until(lambda: people["bob"].frames[("alice", "audio")] > before + 10, "audio back")
        # A party cannot mute anyone.
        refused = await people["bob"].sio.call(
            "control", {"action": "mute", "participant_id": "carol", "kind": "audio"}
        )
        assert refused["error"]["code"] == "not_permitted"
    finally:
        for p in people.values():
            await p.close()


async def test_a_witness_gets_nothing_until_called(server: RunningServer) -> None:
    hid = await hearing_with(server, [("judge", "judge"), ("alice", "party"),
                                      ("wendy", "witness")])  # fmt: skip
    people = await start(server, hid, ["judge", "alice", "wendy"])
    try:
        assert (await people["alice"].publish())["ok"]
        refused = await people["wendy"].publish()
        assert refused["error"]["code"] == "not_permitted"
        await until(lambda: ("alice", "video") in people["judge"].frames, "the judge sees alice")
        await asyncio.sleep(1.0)  # a window in which the witness must receive nothing
        assert await people["wendy"].packets_received() == 0
        assert not people["wendy"].frames

        await control(people["judge"], action="call_witness", participant_id="wendy")
        await until(lambda: ("alice", "video") in people["wendy"].frames, "wendy sees alice")
        assert (await people["wendy"].publish())["ok"]
        await until(lambda: ("wendy", "audio") in people["alice"].frames, "alice hears wendy")

        await control(people["judge"], action="release_witness", participant_id="wendy")
        await stopped(people["wendy"], ("alice", "video"))
        await stopped(people["alice"], ("wendy", "audio"))
    finally:
        for p in people.values():
            await p.close()


async def test_a_caucus_is_not_heard_by_the_other_side(server: RunningServer) -> None:
    hid = await hearing_with(
        server,
        [("mediator", "mediator"), ("alice", "party"), ("anna", "counsel"), ("bob", "party")],
        kind="mediation",
    )
    people = await start(server, hid, ["mediator", "alice", "anna", "bob"])
    try:
        for p in people.values():
            assert (await p.publish())["ok"]
        await until(lambda: ("alice", "audio") in people["bob"].frames, "bob hears alice")
        await control(people["mediator"], action="open_caucus", members=["alice", "anna"])
        for key in (("alice", "audio"), ("anna", "audio"), ("mediator", "audio")):
            await stopped(people["bob"], key)
        # Inside the caucus they hear each other and the mediator; bob is not heard there.
        for pid, other in (("alice", "anna"), ("anna", "mediator"), ("mediator", "alice")):
            before = people[pid].frames[(other, "audio")]
            await until(grows(people[pid], (other, "audio"), before + 10), f"{pid} hears {other}")
        silent = Counter(people["bob"].frames)
        await asyncio.sleep(1.0)  # a window in which nothing of the caucus reaches bob
        for key in (("alice", "audio"), ("anna", "audio"), ("alice", "video")):
            assert people["bob"].frames[key] == silent[key], key
        await control(people["mediator"], action="close_caucus")
        before = people["bob"].frames[("alice", "audio")]
        await until(lambda: people["bob"].frames[("alice", "audio")] > before + 10, "joint again")
        await asyncio.sleep(1.0)  # the joint session goes on, on the record
        assert (await people["mediator"].sio.call("lifecycle", {"action": "adjourn"}))["ok"]
    finally:
        for p in people.values():
            await p.close()

    # Nothing said in the caucus is in the record; the joint session before and after is.
    path = server.settings.data_dir / "hearings" / hid / "audit.jsonl"
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    opened = next(e["clock"] for e in entries if e["action"] == "open_caucus")
    closed = next(e["clock"] for e in entries if e["action"] == "close_caucus")
    token = "admin"  # the court system's token (no more join links after adjournment)
    for pid in ("alice", "anna", "mediator"):
        times = await recorded_audio(server, hid, token, pid)
        assert any(t < opened for t in times) and any(t > closed for t in times), (pid, times)
        inside = [t for t in times if opened + 0.5 < t < closed - 0.1]
        assert not inside, (pid, opened, closed, inside[:5])
    bob = await recorded_audio(server, hid, token, "bob")
    assert any(opened + 0.5 < t < closed - 0.1 for t in bob)  # bob stayed in the joint session
