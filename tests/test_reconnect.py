"""A dropped connection keeps its place for the grace period; after it, back to the lobby."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.harness.server import RunningServer
from tests.harness.sio import SioClient

GRACE = 3.0


def people(roster: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    return {p["participant_id"]: (p["presence"], p["online"]) for p in roster["participants"]}


async def test_back_within_grace_keeps_the_place_after_it_the_lobby(start: Any) -> None:
    server: RunningServer = await start(reconnect_grace_seconds=GRACE)
    hearing = await server.create_hearing()
    hid = hearing["id"]
    tokens = await server.links(hid)
    judge = SioClient(server.url, tokens["judge"])
    await judge.connect()
    await judge.call("join")
    await judge.call("lifecycle", {"action": "open"})
    alice = SioClient(server.url, tokens["alice"])
    await alice.connect()
    assert people((await alice.call("join"))["roster"])["alice"] == ("lobby", True)
    await judge.call("control", {"action": "verify_identity", "participant_id": "alice",
                                 "method": "ID card shown to camera"})  # fmt: skip
    assert (await judge.call("control", {"action": "admit", "participant_id": "alice"}))["ok"]

    # The network drops for less than the grace period: she comes back admitted.
    mark = judge.mark()
    await alice.close()
    await judge.wait_for(
        "roster", lambda r: people(r).get("alice") == ("admitted", False), after=mark
    )
    await asyncio.sleep(GRACE / 3)  # offline for a while, within the grace period
    alice = SioClient(server.url, tokens["alice"])
    await alice.connect()
    welcome = await alice.call("hello")
    assert people(welcome["roster"])["alice"] == ("admitted", True)
    member = next(p for p in welcome["roster"]["participants"] if p["participant_id"] == "alice")
    assert member["verified_by"] == "judge"  # the identity check still stands
    assert (await alice.call("join"))["ok"]  # joining again is harmless

    # Dropped for longer than the grace period: she must wait in the lobby again.
    mark = judge.mark()
    await alice.close()
    await judge.wait_for(
        "roster", lambda r: "alice" not in people(r), timeout=GRACE + 5, after=mark
    )
    alice = SioClient(server.url, tokens["alice"])
    await alice.connect()
    assert people((await alice.call("hello"))["roster"])["alice"] == ("connected", True)
    assert people((await alice.call("join"))["roster"])["alice"] == ("lobby", True)
    mark = judge.mark()
    await alice.close()
    await judge.wait_for("roster", lambda r: people(r).get("alice") == ("lobby", False), after=mark)
    await judge.close()

    log = server.settings.data_dir / "hearings" / hid / "audit.jsonl"
    actions = [json.loads(line)["action"] for line in log.read_text().splitlines()]
    alice_steps = [a for a in actions if a in ("admit", "connection_lost", "reconnected",
                                               "place_lost", "entered_lobby")]  # fmt: skip
    assert alice_steps == ["entered_lobby", "admit", "connection_lost", "reconnected",
                           "connection_lost", "place_lost", "entered_lobby",
                           "connection_lost"]  # fmt: skip
