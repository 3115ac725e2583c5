"""The judge's controls: every control by every role in every state, and the rules of each."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from hearing.errors import Conflict, HearingError, InvalidInput, NotPermitted
from hearing.lifecycle import HearingState
from hearing.model import Hearing, NewHearing
from hearing.permissions import Grant, grant
from hearing.roles import Role
from hearing.rooms import Presence, RoomControls, RosterEntry
from hearing.session import (
    CONTROL_PERMISSION,
    NO_MEDIA,
    Command,
    Control,
    Situation,
    decide,
    entry_presence,
    media_rights,
)

ACTORS = {role: f"{role.value}-1" for role in Role}
LIVE = {HearingState.OPEN, HearingState.IN_SESSION, HearingState.RECESS}


def hearing(**overrides: Any) -> Hearing:
    people = [{"id": pid, "display_name": pid.title(), "role": role.value}
              for role, pid in ACTORS.items()]  # fmt: skip
    people += [
        {"id": "alice", "display_name": "Alice", "role": "party"},  # waiting in the lobby
        {"id": "bob", "display_name": "Bob", "role": "party"},  # admitted
        {"id": "carol", "display_name": "Carol", "role": "counsel"},  # admitted, muted
        {"id": "walt", "display_name": "Walt", "role": "witness"},  # admitted, called
        {"id": "wendy", "display_name": "Wendy", "role": "witness"},  # admitted, not called
    ]
    data = {"case_number": "1", "title": "t", "scheduled_start": "2026-12-01T09:00:00+00:00",
            "kind": "mediation", "public": True, "participants": people}  # fmt: skip
    return Hearing.create(NewHearing.model_validate({**data, **overrides}))


def entry(pid: str, role: Role, presence: Presence = Presence.ADMITTED, **kw: Any) -> RosterEntry:
    return RosterEntry(pid, pid.title(), role, presence, f"sid-{pid}", "n1", 0.0, **kw)


def situation(state: HearingState, controls: RoomControls | None = None) -> Situation:
    roster = {pid: entry(pid, role) for role, pid in ACTORS.items()}
    roster["alice"] = entry("alice", Role.PARTY, Presence.LOBBY)
    roster["bob"] = entry("bob", Role.PARTY, hand_raised_at=5.0)
    roster["carol"] = entry("carol", Role.COUNSEL, muted_audio=True)
    roster["walt"] = entry("walt", Role.WITNESS, called=True)
    roster["wendy"] = entry("wendy", Role.WITNESS)
    return Situation(hearing(), state, controls or RoomControls(), roster)


# Each control, set up so that it would be valid (the role and state aside).
VALID: dict[Control, tuple[dict[str, Any], RoomControls]] = {
    Control.VERIFY_IDENTITY: ({"target": "alice", "method": "ID card via camera"}, RoomControls()),
    Control.ADMIT: ({"target": "alice"}, RoomControls()),
    Control.DENY: ({"target": "alice"}, RoomControls()),
    Control.RETURN_TO_LOBBY: ({"target": "bob"}, RoomControls()),
    Control.LOCK: ({}, RoomControls()),
    Control.UNLOCK: ({}, RoomControls(locked=True)),
    Control.MUTE: ({"target": "bob", "kind": "audio"}, RoomControls()),
    Control.REQUEST_UNMUTE: ({"target": "carol", "kind": "audio"}, RoomControls()),
    Control.REMOVE: ({"target": "bob"}, RoomControls()),
    Control.CALL_WITNESS: ({"target": "wendy"}, RoomControls()),
    Control.RELEASE_WITNESS: ({"target": "walt"}, RoomControls()),
    Control.OPEN_CAUCUS: ({"members": ("bob", "carol")}, RoomControls()),
    Control.CLOSE_CAUCUS: ({}, RoomControls(caucus=("bob",))),
    Control.SET_PUBLIC_VIEWING: ({"value": False}, RoomControls()),
    Control.RAISE_HAND: ({}, RoomControls()),
    Control.LOWER_HAND: ({}, RoomControls()),
}


@pytest.mark.parametrize("state", list(HearingState))
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("control", list(Control))
def test_every_control_by_every_role_in_every_state(
    control: Control, role: Role, state: HearingState
) -> None:
    fields, controls = VALID[control]
    actor = ACTORS[role]
    s = situation(state, controls)
    if control is Control.LOWER_HAND:  # one's own raised hand
        s = replace(s, roster={**s.roster, actor: s.roster[actor].but(hand_raised_at=1.0)})
    cmd = Command(control, actor, **fields)
    # The hearing is public and the actor (a witness included) not called in.
    permitted = grant(role, CONTROL_PERMISSION[control]) is Grant.ALLOWED
    if permitted and state in LIVE:
        decision = decide(s, cmd, now=100.0)
        assert decision.entries or decision.controls or decision.ends
    else:
        with pytest.raises(HearingError) as e:
            decide(s, cmd, now=100.0)
        expected = NotPermitted if not permitted else Conflict
        assert isinstance(e.value, expected), e.value
        assert e.value.message


def test_the_rules_of_each_control() -> None:
    s = situation(HearingState.IN_SESSION)
    judge = ACTORS[Role.JUDGE]

    def run(control: Control, situation_: Situation = s, **kw: Any) -> Any:
        return decide(situation_, Command(control, judge, **kw), now=100.0)

    admitted = run(Control.ADMIT, target="alice").entries[0]
    assert admitted.presence is Presence.ADMITTED
    with pytest.raises(Conflict, match="not waiting in the lobby"):
        run(Control.ADMIT, target="bob")
    with pytest.raises(Conflict, match="locked"):
        run(Control.ADMIT, replace(s, controls=RoomControls(locked=True)), target="alice")
    verified = run(Control.VERIFY_IDENTITY, target="alice", method="passport").entries[0]
    assert (verified.verified_by, verified.verified_method, verified.verified_at) == (
        judge, "passport", 100.0)  # fmt: skip
    with pytest.raises(InvalidInput, match="how the identity was verified"):
        run(Control.VERIFY_IDENTITY, target="alice", method="  ")
    denied = run(Control.DENY, target="alice").ends[0]
    assert (denied.participant_id, denied.code, denied.revoke_links) == ("alice", "denied", False)
    removed = run(Control.REMOVE, target="bob").ends[0]
    assert (removed.code, removed.revoke_links) == ("removed", True)
    with pytest.raises(Conflict, match="cannot be removed"):
        run(Control.REMOVE, target=ACTORS[Role.CLERK])
    muted = run(Control.MUTE, target="bob", kind="video")
    assert muted.entries[0].muted_video and not muted.entries[0].muted_audio
    assert muted.notices[0].event == "muted" and muted.notices[0].participant_id == "bob"
    with pytest.raises(InvalidInput, match="kind"):
        run(Control.MUTE, target="bob")
    with pytest.raises(Conflict, match="already muted"):
        run(Control.MUTE, target="carol", kind="audio")
    unmute = run(Control.REQUEST_UNMUTE, target="carol", kind="audio")
    assert not unmute.entries[0].muted_audio and unmute.notices[0].event == "unmute_requested"
    with pytest.raises(Conflict, match="not a witness"):
        run(Control.CALL_WITNESS, target="bob")
    assert run(Control.CALL_WITNESS, target="wendy").entries[0].called
    with pytest.raises(InvalidInput, match="is in every caucus"):
        run(Control.OPEN_CAUCUS, members=(ACTORS[Role.MEDIATOR],))
    with pytest.raises(Conflict, match="mediations only"):
        run(Control.OPEN_CAUCUS, replace(s, hearing=hearing(kind="hearing")), members=("bob",))
    off = run(Control.SET_PUBLIC_VIEWING, value=False)
    assert off.controls is not None and not off.controls.public_viewing
    assert [e.participant_id for e in off.ends] == [ACTORS[Role.OBSERVER]]
    with pytest.raises(Conflict, match="not public"):
        run(Control.SET_PUBLIC_VIEWING, replace(s, hearing=hearing(public=False),
            controls=RoomControls(public_viewing=False)), value=True)  # fmt: skip
    lowered = run(Control.LOWER_HAND, target="bob").entries[0]
    assert lowered.hand_raised_at is None
    with pytest.raises(NotPermitted):  # a party may lower only their own hand
        decide(s, Command(Control.LOWER_HAND, "alice", target="bob"), now=1.0)
    absent = replace(s, roster={k: v for k, v in s.roster.items() if k != "bob"})
    with pytest.raises(Conflict, match="not connected"):
        run(Control.MUTE, absent, target="bob", kind="audio")


def test_where_joining_lands() -> None:
    h, controls = hearing(), RoomControls()
    assert entry_presence(h, controls, Role.PARTY) is Presence.LOBBY
    assert entry_presence(h, controls, Role.JUDGE) is Presence.ADMITTED
    assert entry_presence(h, controls, Role.CLERK) is Presence.ADMITTED
    assert entry_presence(h, controls, Role.OBSERVER) is Presence.ADMITTED  # public gallery
    off = RoomControls(public_viewing=False)
    assert entry_presence(h, off, Role.OBSERVER) is Presence.LOBBY
    assert entry_presence(hearing(lobby=False), controls, Role.PARTY) is Presence.ADMITTED


def test_media_rights() -> None:
    s = situation(HearingState.IN_SESSION)
    waiting = media_rights(s, "alice")  # in the lobby: her camera, to the officers only
    assert waiting.video and not waiting.audio and not waiting.receives and not waiting.recorded
    officers = {ACTORS[r] for r in (Role.JUDGE, Role.MEDIATOR, Role.CLERK)}
    assert waiting.audience == officers and waiting.group == "lobby:alice"
    assert media_rights(s, "bob").group != waiting.group
    gone = replace(s, roster={**s.roster, ACTORS[Role.CLERK]: s.roster[ACTORS[Role.CLERK]].but(
        dropped_at=3.0)})  # fmt: skip
    assert ACTORS[Role.CLERK] not in media_rights(gone, "alice").audience
    shy = replace(s, roster={**s.roster, "alice": s.roster["alice"].but(muted_video=True)})
    assert not media_rights(shy, "alice").video
    offline = replace(s, roster={**s.roster, "alice": s.roster["alice"].but(dropped_at=3.0)})
    assert media_rights(offline, "alice") == NO_MEDIA
    gallery = replace(s, roster={**s.roster, ACTORS[Role.OBSERVER]: s.roster[
        ACTORS[Role.OBSERVER]].moved(Presence.LOBBY)})  # fmt: skip
    assert media_rights(gallery, ACTORS[Role.OBSERVER]) == NO_MEDIA  # observers never send
    assert media_rights(s, "wendy") == NO_MEDIA  # sequestered witness
    walt = media_rights(s, "walt")
    assert walt.audio and walt.video and walt.receives  # called in
    carol = media_rights(s, "carol")
    assert not carol.audio and carol.video  # muted microphone only
    observer = media_rights(s, ACTORS[Role.OBSERVER])
    assert not observer.audio and not observer.video and observer.receives
    caucus = replace(s, controls=RoomControls(caucus=("bob",)))
    assert (
        media_rights(caucus, "bob").group == "caucus" and not media_rights(caucus, "bob").recorded
    )
    assert media_rights(caucus, ACTORS[Role.MEDIATOR]).group == "caucus"
    assert media_rights(caucus, "carol").group == "main" and media_rights(caucus, "carol").recorded
    dropped = replace(s, roster={**s.roster, "bob": s.roster["bob"].but(dropped_at=3.0)})
    assert media_rights(dropped, "bob") == NO_MEDIA
