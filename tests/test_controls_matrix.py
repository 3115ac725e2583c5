"""The authorisation matrix over the real signaling: every control event sent by every role.

Each event either takes effect, exactly when the permission table and the hearing's
state allow it, or is refused with a clear error, changes nothing (roster, controls,
hearing state, files) and is audited.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import pytest

from hearing.lifecycle import TRANSITIONS, HearingState, LifecycleAction
from hearing.permissions import Action, Grant, grant
from hearing.roles import Role
from hearing.session import CONTROL_PERMISSION, Control
from tests.harness.server import RunningServer
from tests.harness.sio import SioClient

ACTOR = {role: f"{role.value}-1" for role in Role}
OTHERS = [("alice", "party"), ("bob", "party"), ("carol", "counsel"), ("walt", "witness"),
          ("wendy", "witness")]  # fmt: skip

# The payload of each control, and what must be set up first for it to be valid.
PAYLOAD: dict[Control, dict[str, Any]] = {
    Control.VERIFY_IDENTITY: {"participant_id": "alice", "method": "ID card"},
    Control.ADMIT: {"participant_id": "alice"},
    Control.DENY: {"participant_id": "alice"},
    Control.RETURN_TO_LOBBY: {"participant_id": "bob"},
    Control.LOCK: {},
    Control.UNLOCK: {},
    Control.MUTE: {"participant_id": "bob", "kind": "audio"},
    Control.REQUEST_UNMUTE: {"participant_id": "carol", "kind": "audio"},
    Control.REMOVE: {"participant_id": "bob"},
    Control.CALL_WITNESS: {"participant_id": "wendy"},
    Control.RELEASE_WITNESS: {"participant_id": "walt"},
    Control.OPEN_CAUCUS: {"members": ["bob", "carol"]},
    Control.CLOSE_CAUCUS: {},
    Control.SET_PUBLIC_VIEWING: {"value": False},
    Control.RAISE_HAND: {},
    Control.LOWER_HAND: {},
}
SETUP: dict[Control, dict[str, Any]] = {
    Control.UNLOCK: {"action": "lock"},
    Control.CLOSE_CAUCUS: {"action": "open_caucus", "members": ["bob"]},
}


@dataclass
class Stage:
    server: RunningServer
    hearing_id: str
    clients: dict[str, SioClient]

    async def roster(self) -> dict[str, Any]:
        ack = await self.clients[ACTOR[Role.JUDGE]].call("roster")
        roster: dict[str, Any] = ack["roster"]
        roster.pop("version")
        return roster

    def files(self) -> dict[str, bytes]:
        folder = self.server.settings.data_dir / "hearings" / self.hearing_id
        return {
            p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != ".lock"
        }

    def audit(self) -> list[dict[str, Any]]:
        log = self.server.settings.data_dir / "hearings" / self.hearing_id / "audit.jsonl"
        return [json.loads(line) for line in log.read_text().splitlines()]

    async def close(self) -> None:
        for client in self.clients.values():
            await client.close()


async def stage(server: RunningServer, state: HearingState) -> Stage:
    """A public mediation with every role connected, in `state`, set up as PAYLOAD needs."""
    people = [{"id": pid, "display_name": pid, "role": r.value} for r, pid in ACTOR.items()]
    people += [{"id": pid, "display_name": pid, "role": role} for pid, role in OTHERS]
    hearing = await server.create_hearing(participants=people, kind="mediation", public=True)
    hid = hearing["id"]
    tokens = await server.links(hid)
    clients = {pid: SioClient(server.url, token) for pid, token in tokens.items()}
    judge = clients[ACTOR[Role.JUDGE]]
    await asyncio.gather(*(client.connect() for client in clients.values()))

    async def judge_does(**data: Any) -> None:
        ack = await judge.call("control", data)
        assert ack == {"ok": True}, (data, ack)

    path = {HearingState.SCHEDULED: [], HearingState.OPEN: ["open"],
            HearingState.IN_SESSION: ["open", "start"],
            HearingState.RECESS: ["open", "start", "recess"],
            HearingState.ADJOURNED: [], HearingState.CANCELLED: []}[state]  # fmt: skip
    live = state in (HearingState.OPEN, HearingState.IN_SESSION, HearingState.RECESS)
    if live:
        for action in path:
            assert (await judge.call("lifecycle", {"action": action}))["ok"]
        acks = await asyncio.gather(*(client.call("join") for client in clients.values()))
        assert all(ack["ok"] for ack in acks), acks
        for pid in [ACTOR[r] for r in Role if r not in (Role.JUDGE, Role.MEDIATOR, Role.CLERK,
                                                       Role.OBSERVER)] + ["bob", "carol", "walt",
                                                                          "wendy"]:  # fmt: skip
            await judge_does(action="admit", participant_id=pid)
        await judge_does(action="mute", participant_id="carol", kind="audio")
        await judge_does(action="call_witness", participant_id="walt")
    return Stage(server, hid, clients)


def expected_control(role: Role, control: Control) -> bool:
    return grant(role, CONTROL_PERMISSION[control]) is Grant.ALLOWED


LIVE_STATES = [HearingState.OPEN, HearingState.IN_SESSION, HearingState.RECESS]


@pytest.mark.parametrize("state", LIVE_STATES + [HearingState.SCHEDULED])
async def test_every_control_by_every_role(server: RunningServer, state: HearingState) -> None:
    shared = await stage(server, state)  # refusals change nothing, so they share one stage
    try:
        for role in Role:
            actor = ACTOR[role]
            for control in Control:
                allowed = expected_control(role, control) and state in LIVE_STATES
                if allowed:
                    await _allowed_case(server, state, role, control)
                else:
                    await _refused_case(shared, actor, control)
    finally:
        await shared.close()


async def _refused_case(s: Stage, actor: str, control: Control) -> None:
    before = (await s.roster(), s.files())
    audited = len(s.audit())
    data = {"action": control.value, **PAYLOAD[control]}
    ack = await s.clients[actor].call("control", data)
    assert ack["ok"] is False, (actor, control, ack)
    assert ack["error"]["code"] in ("not_permitted", "conflict"), ack
    assert ack["error"]["message"]
    entries = s.audit()
    assert len(entries) == audited + 1, (actor, control)
    refusal = entries[-1]
    assert (refusal["actor"], refusal["action"], refusal["outcome"]) == (
        actor, control.value, "refused")  # fmt: skip
    # Nothing else changed: the refusal's own audit line is the only new byte.
    after_roster, after_files = await s.roster(), s.files()
    assert after_roster == before[0]
    after_files["audit.jsonl"] = after_files["audit.jsonl"][: len(before[1]["audit.jsonl"])]
    assert after_files == before[1]


async def _allowed_case(server: RunningServer, state: HearingState, role: Role,
                        control: Control) -> None:  # fmt: skip
    s = await stage(server, state)
    try:
        actor = s.clients[ACTOR[role]]
        if control in SETUP:
            assert (await s.clients[ACTOR[Role.JUDGE]].call("control", SETUP[control]))["ok"]
        if control is Control.LOWER_HAND:
            assert (await actor.call("control", {"action": "raise_hand"}))["ok"]
        before = await s.roster()
        ack = await actor.call("control", {"action": control.value, **PAYLOAD[control]})
        assert ack == {"ok": True}, (role, control, ack)
        assert await s.roster() != before, (role, control)  # it took effect
        last = s.audit()[-1]
        assert (last["actor"], last["action"], last["outcome"]) == (
            ACTOR[role], control.value, "done")  # fmt: skip
    finally:
        await s.close()


@pytest.mark.parametrize("state", LIVE_STATES + [HearingState.SCHEDULED])
async def test_every_lifecycle_event_by_every_role(
    server: RunningServer, state: HearingState
) -> None:
    shared = await stage(server, state)  # for the refusals, which change nothing
    try:
        for role in Role:
            for action in LifecycleAction:
                if action is LifecycleAction.CANCEL:
                    continue  # the court system's, over REST
                permitted = grant(role, Action(action.value)) is Grant.ALLOWED
                legal = (state, action) in TRANSITIONS
                s = await stage(server, state) if permitted and legal else shared
                try:
                    before = await s.roster()
                    ack = await s.clients[ACTOR[role]].call("lifecycle", {"action": action.value})
                    _, body = await server.request("GET", f"/api/v1/hearings/{s.hearing_id}")
                    if permitted and legal:
                        assert ack["ok"] and body["state"] == TRANSITIONS[(state, action)].value
                        continue
                    assert ack["ok"] is False and body["state"] == state.value, (role, action)
                    code = "not_permitted" if not permitted else "illegal_transition"
                    assert ack["error"]["code"] == code, (role, action, ack)
                    last = s.audit()[-1]
                    assert (last["action"], last["outcome"]) == (action.value, "refused")
                    assert await s.roster() == before
                finally:
                    if s is not shared:
                        await s.close()
    finally:
        await shared.close()
