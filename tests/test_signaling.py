"""Signaling over Socket.IO: authenticated connections, the roster, refusals, ordering."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
import socketio

from hearing.lifecycle import LifecycleAction
from hearing.repository import HearingRepository
from signaling.keys import SERVICE
from tests.harness.server import RunningServer
from tests.harness.sio import SioClient

H = "/api/v1/hearings"


async def connected(server: RunningServer, token: str) -> SioClient:
    client = SioClient(server.url, token)
    await client.connect()
    return client


def audit(server: RunningServer, hearing_id: str) -> list[dict[str, Any]]:
    path = server.settings.data_dir / "hearings" / hearing_id / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def people(roster: dict[str, Any]) -> dict[str, str]:
    return {p["participant_id"]: p["presence"] for p in roster["participants"]}


async def test_connect_hello_join_and_see_each_other(any_server: RunningServer) -> None:
    server = any_server
    hearing = await server.create_hearing()
    tokens = await server.links(hearing["id"])
    alice = await connected(server, tokens["alice"])
    bob = await connected(server, tokens["bob"])
    try:
        welcome = await alice.call("hello")
        assert welcome["ok"] and welcome["participant_id"] == "alice"
        assert (welcome["display_name"], welcome["role"]) == ("김민지", "party")
        assert people(welcome["roster"]) == {"alice": "connected", "bob": "connected"}

        ack = await alice.call("join")
        assert ack["ok"] and people(ack["roster"])["alice"] == "lobby"
        seen = await bob.wait_for("roster", lambda r: people(r).get("alice") == "lobby")
        assert seen["state"] == "scheduled"
        member = next(p for p in seen["participants"] if p["participant_id"] == "alice")
        assert (member["display_name"], member["role"]) == ("김민지", "party")

        await bob.call("join")
        await alice.wait_for("roster", lambda r: people(r) == {"alice": "lobby", "bob": "lobby"})

        left = await bob.call("leave")
        assert left == {"ok": True}
        await alice.wait_for("roster", lambda r: people(r) == {"alice": "lobby"})
    finally:
        await alice.close()
        await bob.close()
    actions = [(e["actor"], e["action"]) for e in audit(server, hearing["id"])]
    assert ("alice", "entered_lobby") in actions and ("bob", "left") in actions


async def test_disconnect_removes_from_roster(any_server: RunningServer) -> None:
    hearing = await any_server.create_hearing()
    tokens = await any_server.links(hearing["id"])
    alice = await connected(any_server, tokens["alice"])
    bob = await connected(any_server, tokens["bob"])
    await bob.close()
    await alice.wait_for("roster", lambda r: "bob" not in people(r))
    await alice.close()
    assert [e["action"] for e in audit(any_server, hearing["id"]) if e["actor"] == "bob"] == [
        "connected", "disconnected"]  # fmt: skip


REFUSALS = ["missing", "garbage", "expired", "revoked", "cancelled", "adjourned", "observer"]


@pytest.mark.parametrize("case", REFUSALS)
async def test_connections_refused_with_a_reason(server: RunningServer, case: str) -> None:
    hearing = await server.create_hearing(
        participants=[
            {"id": "judge", "display_name": "Judge", "role": "judge"},
            {"id": "alice", "display_name": "Alice", "role": "party"},
            {"id": "press", "display_name": "Press", "role": "observer"},
        ]
    )
    hid = hearing["id"]
    tokens = await server.links(hid)
    judge = await connected(server, tokens["judge"])
    await judge.call("join")
    token: str | None = tokens["alice"]
    expected = {
        "missing": "missing_token", "garbage": "invalid_token", "expired": "token_expired",
        "revoked": "token_revoked", "cancelled": "hearing_closed", "adjourned": "hearing_closed",
        "observer": "not_permitted",
    }[case]  # fmt: skip
    if case == "missing":
        token = None
    elif case == "garbage":
        token = "garbage"
    elif case == "expired":
        h = HearingRepository(server.settings.data_dir).get(hid)
        token = server.tokens().issue(h, "alice", ttl_seconds=-5)
    elif case == "revoked":
        await server.request("POST", f"{H}/{hid}/participants/alice/revoke")
    elif case == "cancelled":
        await server.request("POST", f"{H}/{hid}/cancel", json={"reason": "settled"})
    elif case == "adjourned":
        service = server.server.app[SERVICE]
        await service.transition(hid, LifecycleAction.OPEN, actor="judge", details={})
        await service.transition(hid, LifecycleAction.ADJOURN, actor="judge", details={})
    elif case == "observer":
        token = tokens["press"]
    roster_before = await judge.call("roster") if case not in ("cancelled",) else None

    client = SioClient(server.url, token)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect()
    assert client.connect_error["code"] == expected
    assert client.connect_error["message"]
    await client.close()
    if roster_before is not None:
        assert await judge.call("roster") == roster_before  # the refusal changed nothing
    await judge.close()
    if case in ("expired", "revoked", "cancelled", "adjourned", "observer"):
        refusals = [e for e in audit(server, hid) if e["outcome"] == "refused"]
        assert refusals and refusals[-1]["action"] == "connect"


async def test_revoking_closes_the_live_connection(server: RunningServer) -> None:
    hearing = await server.create_hearing()
    tokens = await server.links(hearing["id"])
    judge = await connected(server, tokens["judge"])
    bob = await connected(server, tokens["bob"])
    await bob.call("join")
    status, body = await server.request("POST", f"{H}/{hearing['id']}/participants/bob/revoke")
    assert status == 200 and body["disconnected"] is True
    ended = await bob.wait_for("session_ended")
    assert ended["code"] == "token_revoked"
    await bob.wait_for("disconnect")
    await judge.wait_for("roster", lambda r: "bob" not in people(r))
    await judge.close()
    await bob.close()


async def test_cancelling_ends_everyones_session(server: RunningServer) -> None:
    hearing = await server.create_hearing()
    tokens = await server.links(hearing["id"])
    alice = await connected(server, tokens["alice"])
    await server.request("POST", f"{H}/{hearing['id']}/cancel", json={"reason": "settled"})
    state = await alice.wait_for("hearing_state")
    assert state["state"] == "cancelled"
    ended = await alice.wait_for("session_ended")
    assert ended["code"] == "hearing_cancelled" and "settled" in ended["message"]
    await alice.close()


async def test_a_second_window_replaces_the_first(server: RunningServer) -> None:
    hearing = await server.create_hearing()
    tokens = await server.links(hearing["id"])
    first = await connected(server, tokens["alice"])
    await first.call("join")
    second = await connected(server, tokens["alice"])
    ended = await first.wait_for("session_ended")
    assert ended["code"] == "replaced"
    roster = (await second.call("roster"))["roster"]
    assert people(roster) == {"alice": "lobby"}  # the new window keeps the place
    await first.close()
    await second.close()


async def test_bad_events_get_one_error_shape_and_change_nothing(server: RunningServer) -> None:
    hearing = await server.create_hearing()
    tokens = await server.links(hearing["id"])
    alice = await connected(server, tokens["alice"])
    await alice.call("join")
    before = await alice.call("roster")
    for event, code in [("dance", "unknown_event"), ("control", "invalid_input")]:
        ack = await alice.call(event)
        assert ack["ok"] is False and ack["error"]["code"] == code
        assert set(ack["error"]) == {"code", "reason", "message", "details", "event"}
        pushed = [e for e in alice.received("error") if e["event"] == event]
        assert pushed == [ack["error"]]
    assert await alice.call("roster") == before
    await alice.close()
    refused = [e for e in audit(server, hearing["id"]) if e["outcome"] == "refused"]
    assert [e["action"] for e in refused] == ["control"]


async def test_events_of_a_hearing_are_handled_in_order(any_server: RunningServer) -> None:
    """Many participants join and leave at once; every observer sees versions only grow,
    each participant's own events take effect in the order sent, and the final roster
    matches the store."""
    server = any_server
    participants = [{"id": "judge", "display_name": "Judge", "role": "judge"}] + [
        {"id": f"p{i}", "display_name": f"P{i}", "role": "party"} for i in range(8)
    ]
    hearing = await server.create_hearing(participants=participants, lobby=False)
    tokens = await server.links(hearing["id"])
    judge = await connected(server, tokens["judge"])
    clients = [await connected(server, tokens[f"p{i}"]) for i in range(8)]

    async def busy(client: SioClient, n: int) -> Any:
        # join then immediately ask for the roster: the answer must already show the join
        await client.emit("join")
        roster = (await client.call("roster"))["roster"]
        assert people(roster)[f"p{n}"] == "admitted"
        return roster["version"]

    await asyncio.gather(*(busy(c, i) for i, c in enumerate(clients)))
    await asyncio.gather(*(c.call("leave") for c in clients[::2]))
    final = (await judge.call("roster"))["roster"]
    assert people(final) == {"judge": "connected"} | {f"p{i}": "admitted" for i in range(1, 8, 2)}
    versions = [r["version"] for r in judge.received("roster")]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    assert versions[-1] == final["version"]
    for c in clients:
        await c.close()
    await judge.close()


async def test_two_signaling_nodes_share_rooms_through_redis(
    start: Any, redis_url: str, tmp_path: Any
) -> None:
    data = tmp_path / "shared"
    node_a = await start(data, redis_url=redis_url, node_id="node-a")
    node_b = await start(data, redis_url=redis_url, node_id="node-b")
    hearing = await node_a.create_hearing()
    tokens = await node_a.links(hearing["id"])
    alice = await connected(node_a, tokens["alice"])
    bob = await connected(node_b, tokens["bob"])
    await bob.call("join")
    seen = await alice.wait_for("roster", lambda r: people(r).get("bob") == "lobby")
    assert people(seen)["alice"] == "connected"
    # A revocation through node A closes bob's connection on node B.
    status, _ = await node_a.request("POST", f"{H}/{hearing['id']}/participants/bob/revoke")
    assert status == 200
    assert (await bob.wait_for("session_ended"))["code"] == "token_revoked"
    await alice.wait_for("roster", lambda r: "bob" not in people(r))
    await alice.close()
    await bob.close()


async def test_the_judge_runs_the_lifecycle_and_everyone_hears_of_it(server: RunningServer) -> None:
    hearing = await server.create_hearing()
    hid = hearing["id"]
    tokens = await server.links(hid)
    judge = await connected(server, tokens["judge"])
    alice = await connected(server, tokens["alice"])
    for action, state in [("open", "open"), ("start", "in_session"), ("recess", "recess"),
                          ("resume", "in_session")]:  # fmt: skip
        ack = await judge.call("lifecycle", {"action": action})
        assert ack == {"ok": True, "state": state}
        heard = await alice.wait_for("hearing_state", _in_state(state))
        assert heard["clock_running"] is (state == "in_session")
    # A party may not adjourn; nothing changes and the refusal is audited.
    refused = await alice.call("lifecycle", {"action": "adjourn"})
    assert refused["error"]["code"] == "not_permitted"
    bad = await judge.call("lifecycle", {"action": "explode"})
    assert bad["error"]["code"] == "invalid_input"
    illegal = await judge.call("lifecycle", {"action": "open"})
    assert illegal["error"]["code"] == "illegal_transition"
    assert (await server.request("GET", f"{H}/{hid}"))[1]["state"] == "in_session"

    ack = await judge.call("lifecycle", {"action": "adjourn"})
    assert ack == {"ok": True, "state": "adjourned"}
    ended = await alice.wait_for("session_ended")
    assert ended["code"] == "hearing_adjourned"
    await judge.close()
    await alice.close()
    entries = audit(server, hid)
    actions = [(e["action"], e["outcome"]) for e in entries if e["actor"] in ("judge", "alice")]
    assert ("hearing_start", "done") in actions and ("adjourn", "refused") in actions
    starts = [e for e in entries if e["action"] == "hearing_resume"]
    assert starts[0]["clock"] is not None and starts[0]["clock"] > 0


def _in_state(state: str) -> Callable[[Any], bool]:
    return lambda message: bool(message["state"] == state)
