"""The judge's controls of a hearing in progress, decided without I/O.

`decide()` takes what is known of the hearing (its definition, live state, controls
and roster) and one command, checks it against the permission table and the
hearing's situation, and returns what must change; the signaling layer stores the
changes and carries out the effects. `media_rights()` derives, from the same
situation, what the media node must forward for each participant: the rules for
the lobby, muting, sequestered witnesses, observers and caucuses live here only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

from .errors import Conflict, InvalidInput, Reason
from .lifecycle import HearingState
from .model import Hearing
from .permissions import Action, authorize
from .roles import HearingKind, Role
from .rooms import Presence, RoomControls, RosterEntry

__all__ = [
    "CONTROL_PERMISSION",
    "Command",
    "Control",
    "Decision",
    "EndSession",
    "NO_MEDIA",
    "MediaRights",
    "Notice",
    "Situation",
    "decide",
    "entry_presence",
    "media_rights",
]

MediaKind = Literal["audio", "video"]


class Control(StrEnum):
    """A control event (Socket.IO event `control`, field `action`)."""

    VERIFY_IDENTITY = "verify_identity"
    ADMIT = "admit"
    DENY = "deny"
    RETURN_TO_LOBBY = "return_to_lobby"
    LOCK = "lock"
    UNLOCK = "unlock"
    MUTE = "mute"
    REQUEST_UNMUTE = "request_unmute"
    REMOVE = "remove"
    CALL_WITNESS = "call_witness"
    RELEASE_WITNESS = "release_witness"
    OPEN_CAUCUS = "open_caucus"
    CLOSE_CAUCUS = "close_caucus"
    SET_PUBLIC_VIEWING = "set_public_viewing"
    RAISE_HAND = "raise_hand"
    LOWER_HAND = "lower_hand"


CONTROL_PERMISSION: dict[Control, Action] = {
    Control.VERIFY_IDENTITY: Action.VERIFY_IDENTITY,
    Control.ADMIT: Action.ADMIT,
    Control.DENY: Action.DENY,
    Control.RETURN_TO_LOBBY: Action.RETURN_TO_LOBBY,
    Control.LOCK: Action.LOCK,
    Control.UNLOCK: Action.LOCK,
    Control.MUTE: Action.MUTE,
    Control.REQUEST_UNMUTE: Action.REQUEST_UNMUTE,
    Control.REMOVE: Action.REMOVE,
    Control.CALL_WITNESS: Action.CALL_WITNESS,
    Control.RELEASE_WITNESS: Action.RELEASE_WITNESS,
    Control.OPEN_CAUCUS: Action.OPEN_CAUCUS,
    Control.CLOSE_CAUCUS: Action.CLOSE_CAUCUS,
    Control.SET_PUBLIC_VIEWING: Action.SET_PUBLIC_VIEWING,
    Control.RAISE_HAND: Action.RAISE_HAND,
    # Lowering your own hand needs only RAISE_HAND; lowering another's is the floor's
    # management, checked as REQUEST_UNMUTE (judge, mediator, clerk).
    Control.LOWER_HAND: Action.RAISE_HAND,
}

_LIVE = (HearingState.OPEN, HearingState.IN_SESSION, HearingState.RECESS)
# Those who run the hearing are never sent to the lobby, removed or muted by others.


@dataclass(frozen=True, slots=True)
class Command:
    """One control request from a participant."""

    control: Control
    actor: str
    target: str | None = None
    kind: MediaKind | None = None
    method: str | None = None
    members: tuple[str, ...] = ()
    value: bool | None = None


@dataclass(frozen=True, slots=True)
class Situation:
    """Everything a decision reads."""

    hearing: Hearing
    state: HearingState
    controls: RoomControls
    roster: Mapping[str, RosterEntry]

    def entry(self, participant_id: str) -> RosterEntry:
        entry = self.roster.get(participant_id)
        if entry is None:
            self.hearing.participant(participant_id)  # NotFound for a stranger
            raise Conflict(
                f"{participant_id} is not connected to the hearing",
                details={"participant_id": participant_id},
                reason=Reason.NOT_CONNECTED,
            )
        return entry


@dataclass(frozen=True, slots=True)
class EndSession:
    participant_id: str
    code: str
    message: str
    revoke_links: bool = False


@dataclass(frozen=True, slots=True)
class Notice:
    """An event for one participant (e.g. `muted`, `unmute_requested`)."""

    participant_id: str
    event: str
    payload: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Decision:
    """What a command changes; empty fields change nothing."""

    entries: tuple[RosterEntry, ...] = ()
    controls: RoomControls | None = None
    ends: tuple[EndSession, ...] = ()
    notices: tuple[Notice, ...] = ()
    details: Mapping[str, object] = field(default_factory=dict)


def entry_presence(hearing: Hearing, controls: RoomControls, role: Role) -> Presence:
    """Where a participant lands when they press Join."""
    if role.officer or not hearing.lobby:
        return Presence.ADMITTED
    if role is Role.OBSERVER and hearing.public and controls.public_viewing:
        return Presence.ADMITTED  # the public gallery needs no admission one by one
    return Presence.LOBBY


def decide(situation: Situation, command: Command, now: float) -> Decision:
    """The changes `command` makes, or the error saying why it is refused."""
    actor = situation.entry(command.actor)
    action = CONTROL_PERMISSION[command.control]
    if command.control is Control.LOWER_HAND and command.target not in (None, command.actor):
        action = Action.REQUEST_UNMUTE
    authorize(actor.role, action, public=situation.hearing.public, called=actor.called)
    if situation.state not in _LIVE:
        raise Conflict(
            f"the hearing is {situation.state.value}; controls work once it is open",
            details={"state": situation.state.value},
            reason=Reason.HEARING_NOT_LIVE,
        )
    return _RULES[command.control](situation, command, now)


# -- the rules, one per control -------------------------------------------------------


def _target(situation: Situation, command: Command) -> RosterEntry:
    if not command.target:
        raise InvalidInput(
            f"{command.control.value} needs a target participant",
            details={"control": command.control.value},
            reason=Reason.TARGET_MISSING,
        )
    return situation.entry(command.target)


def _not_an_officer(entry: RosterEntry, what: str) -> None:
    if entry.role.officer:
        raise Conflict(
            f"a {entry.role.value} cannot be {what}",
            details={"participant_id": entry.participant_id, "role": entry.role.value},
            reason=Reason.TARGET_IS_OFFICER,
        )


def _verify(s: Situation, c: Command, now: float) -> Decision:
    target = _target(s, c)
    method = (c.method or "").strip()
    if not method or len(method) > 200:
        raise InvalidInput(
            "say how the identity was verified (method: 1 to 200 characters)",
            reason=Reason.VERIFY_METHOD_MISSING,
        )
    changed = target.but(verified_by=c.actor, verified_method=method, verified_at=now)
    return Decision(entries=(changed,), details={"method": method})


def _waiting(s: Situation, c: Command) -> RosterEntry:
    """The command's target, who must be waiting in the lobby."""
    target = _target(s, c)
    if target.presence is not Presence.LOBBY:
        raise Conflict(
            f"{target.participant_id} is not waiting in the lobby",
            details={"participant_id": target.participant_id},
            reason=Reason.NOT_IN_LOBBY,
        )
    return target


def _admit(s: Situation, c: Command, now: float) -> Decision:
    target = _waiting(s, c)
    if s.controls.locked:
        raise Conflict(
            "the hearing is locked: unlock it to admit anyone", reason=Reason.HEARING_LOCKED
        )
    if target.role is Role.OBSERVER and not (s.hearing.public and s.controls.public_viewing):
        raise Conflict(
            "observers are admitted only while public viewing is on",
            reason=Reason.OBSERVERS_NEED_PUBLIC_VIEWING,
        )
    return Decision(entries=(target.moved(Presence.ADMITTED).but(hand_raised_at=None),))


def _deny(s: Situation, c: Command, now: float) -> Decision:
    target = _waiting(s, c)
    end = EndSession(target.participant_id, "denied", "the court did not admit you to the hearing")
    return Decision(ends=(end,))


def _return_to_lobby(s: Situation, c: Command, now: float) -> Decision:
    target = _target(s, c)
    _not_an_officer(target, "sent to the lobby")
    if target.presence is not Presence.ADMITTED:
        raise Conflict(
            f"{target.participant_id} is not in the hearing",
            details={"participant_id": target.participant_id},
            reason=Reason.NOT_IN_HEARING,
        )
    changed = target.moved(Presence.LOBBY).but(called=False, hand_raised_at=None)
    notice = Notice(target.participant_id, "returned_to_lobby", {"by": c.actor})
    return Decision(entries=(changed,), notices=(notice,))


def _lock(s: Situation, c: Command, now: float) -> Decision:
    locked = c.control is Control.LOCK
    if s.controls.locked == locked:
        raise Conflict(
            f"the hearing is already {'locked' if locked else 'unlocked'}",
            reason=Reason.ALREADY_LOCKED if locked else Reason.ALREADY_UNLOCKED,
        )
    return Decision(controls=_replace(s.controls, locked=locked))


def _mute(s: Situation, c: Command, now: float) -> Decision:
    target = _target(s, c)
    kind = _kind(c)
    _not_an_officer(target, "muted")
    if target.presence is not Presence.ADMITTED:
        raise Conflict(
            f"{target.participant_id} is not in the hearing",
            details={"participant_id": target.participant_id},
            reason=Reason.NOT_IN_HEARING,
        )
    field_name = f"muted_{kind}"
    if c.control is Control.MUTE:
        if getattr(target, field_name):
            raise Conflict(
                f"{target.participant_id}'s {_device(kind)} is already muted",
                details={"participant_id": target.participant_id, "kind": kind},
                reason=Reason.ALREADY_MUTED,
            )
        notice = Notice(target.participant_id, "muted", {"kind": kind, "by": c.actor})
        return Decision(entries=(target.but(**{field_name: True}),), notices=(notice,))
    if not getattr(target, field_name):
        raise Conflict(
            f"{target.participant_id}'s {_device(kind)} is not muted by the court",
            details={"participant_id": target.participant_id, "kind": kind},
            reason=Reason.NOT_MUTED_BY_COURT,
        )
    notice = Notice(target.participant_id, "unmute_requested", {"kind": kind, "by": c.actor})
    return Decision(entries=(target.but(**{field_name: False}),), notices=(notice,))


def _remove(s: Situation, c: Command, now: float) -> Decision:
    target = _target(s, c)
    _not_an_officer(target, "removed")
    end = EndSession(
        target.participant_id, "removed", "the court removed you from the hearing", True
    )
    return Decision(ends=(end,))


def _witness(s: Situation, c: Command, now: float) -> Decision:
    target = _target(s, c)
    if target.role is not Role.WITNESS:
        raise Conflict(
            f"{target.participant_id} is not a witness",
            details={"participant_id": target.participant_id},
            reason=Reason.NOT_A_WITNESS,
        )
    if target.presence is not Presence.ADMITTED:
        raise Conflict(
            f"{target.participant_id} is not in the hearing",
            details={"participant_id": target.participant_id},
            reason=Reason.NOT_IN_HEARING,
        )
    call = c.control is Control.CALL_WITNESS
    if target.called == call:
        raise Conflict(
            f"{target.participant_id} is already {'called' if call else 'released'}",
            details={"participant_id": target.participant_id},
            reason=Reason.ALREADY_CALLED if call else Reason.ALREADY_RELEASED,
        )
    notice = Notice(target.participant_id, "called" if call else "released", {"by": c.actor})
    return Decision(entries=(target.but(called=call),), notices=(notice,))


def _open_caucus(s: Situation, c: Command, now: float) -> Decision:
    if s.hearing.kind is not HearingKind.MEDIATION:
        raise Conflict(
            "caucuses are held in mediations only", reason=Reason.CAUCUS_IN_MEDIATIONS_ONLY
        )
    if s.controls.caucus:
        raise Conflict(
            "a caucus is already open: close it first", reason=Reason.CAUCUS_ALREADY_OPEN
        )
    members = tuple(dict.fromkeys(c.members))
    if not members:
        raise InvalidInput(
            "name the participants of the caucus (members)", reason=Reason.CAUCUS_MEMBERS_MISSING
        )
    for member in members:
        participant = s.hearing.participant(member)
        if participant.role.officer:
            raise InvalidInput(
                f"{member} runs the mediation and is in every caucus",
                details={"participant_id": member},
                reason=Reason.CAUCUS_MEMBER_PRESIDES,
            )
    return Decision(
        controls=_replace(s.controls, caucus=members), details={"members": list(members)}
    )


def _close_caucus(s: Situation, c: Command, now: float) -> Decision:
    if not s.controls.caucus:
        raise Conflict("no caucus is open", reason=Reason.NO_CAUCUS)
    return Decision(controls=_replace(s.controls, caucus=()))


def _public_viewing(s: Situation, c: Command, now: float) -> Decision:
    if c.value is None:
        raise InvalidInput(
            "set_public_viewing needs value: true or false", reason=Reason.VALUE_MISSING
        )
    if c.value and not s.hearing.public:
        raise Conflict(
            "this hearing is not public: observers cannot be let in",
            reason=Reason.HEARING_NOT_PUBLIC,
        )
    if s.controls.public_viewing == c.value:
        raise Conflict(
            f"public viewing is already {'on' if c.value else 'off'}",
            reason=Reason.PUBLIC_VIEWING_ALREADY_ON
            if c.value
            else Reason.PUBLIC_VIEWING_ALREADY_OFF,
        )
    ends: tuple[EndSession, ...] = ()
    if not c.value:
        ends = tuple(
            EndSession(e.participant_id, "public_viewing_off", "public viewing has ended")
            for e in s.roster.values()
            if e.role is Role.OBSERVER
        )
    return Decision(controls=_replace(s.controls, public_viewing=c.value), ends=ends)


def _raise_hand(s: Situation, c: Command, now: float) -> Decision:
    actor = s.entry(c.actor)
    if actor.presence is not Presence.ADMITTED:
        raise Conflict(
            "raise your hand once you are in the hearing", reason=Reason.HAND_BEFORE_ADMISSION
        )
    if actor.hand_raised_at is not None:
        raise Conflict("your hand is already raised", reason=Reason.HAND_ALREADY_RAISED)
    return Decision(entries=(actor.but(hand_raised_at=now),))


def _lower_hand(s: Situation, c: Command, now: float) -> Decision:
    target = s.entry(c.target or c.actor)
    if target.hand_raised_at is None:
        raise Conflict(
            f"{target.participant_id}'s hand is not raised",
            details={"participant_id": target.participant_id},
            reason=Reason.HAND_NOT_RAISED,
        )
    return Decision(entries=(target.but(hand_raised_at=None),))


_RULES = {
    Control.VERIFY_IDENTITY: _verify,
    Control.ADMIT: _admit,
    Control.DENY: _deny,
    Control.RETURN_TO_LOBBY: _return_to_lobby,
    Control.LOCK: _lock,
    Control.UNLOCK: _lock,
    Control.MUTE: _mute,
    Control.REQUEST_UNMUTE: _mute,
    Control.REMOVE: _remove,
    Control.CALL_WITNESS: _witness,
    Control.RELEASE_WITNESS: _witness,
    Control.OPEN_CAUCUS: _open_caucus,
    Control.CLOSE_CAUCUS: _close_caucus,
    Control.SET_PUBLIC_VIEWING: _public_viewing,
    Control.RAISE_HAND: _raise_hand,
    Control.LOWER_HAND: _lower_hand,
}


def _kind(c: Command) -> MediaKind:
    if c.kind not in ("audio", "video"):
        raise InvalidInput(
            f"{c.control.value} needs kind: 'audio' or 'video'",
            details={"control": c.control.value},
            reason=Reason.KIND_MISSING,
        )
    return c.kind


def _device(kind: MediaKind) -> str:
    return "microphone" if kind == "audio" else "camera"


def _replace(controls: RoomControls, **changes: object) -> RoomControls:
    return replace(controls, **changes)  # type: ignore[arg-type]


# -- media ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MediaRights:
    """What the node forwards for one participant."""

    audio: bool
    """Their microphone is forwarded (to `audience`)."""
    video: bool
    receives: bool
    """They receive anything at all."""
    group: str
    """Media flows only between participants of the same group ("main" or "caucus")."""
    recorded: bool = True
    """Their tracks go into the record (not during a caucus or in the lobby)."""
    audience: frozenset[str] = frozenset()
    """Participants outside the group who get their tracks too, one way (the officers
    who see a waiting participant's camera in the lobby)."""


NO_MEDIA = MediaRights(audio=False, video=False, receives=False, group="main")


def media_rights(situation: Situation, participant_id: str) -> MediaRights:
    """What the node must forward for `participant_id`, given the whole situation."""
    entry = situation.roster.get(participant_id)
    if entry is None or not entry.online:
        return NO_MEDIA
    if entry.presence is Presence.LOBBY:
        return _lobby_preview(situation, participant_id)
    if entry.presence is not Presence.ADMITTED:
        return NO_MEDIA
    hearing, controls = situation.hearing, situation.controls
    if entry.role is Role.OBSERVER:
        watching = hearing.public and controls.public_viewing
        return MediaRights(audio=False, video=False, receives=watching, group="main")
    if entry.role is Role.WITNESS and not entry.called:
        return NO_MEDIA  # sequestered: hears and sees nothing, is heard by no one
    in_caucus = participant_id in controls.caucus or (
        bool(controls.caucus) and entry.role in (Role.JUDGE, Role.MEDIATOR)
    )
    return MediaRights(
        audio=not entry.muted_audio,
        video=not entry.muted_video,
        receives=True,
        group="caucus" if in_caucus else "main",
        recorded=not in_caucus,
    )


def _lobby_preview(situation: Situation, participant_id: str) -> MediaRights:
    """Someone waiting in the lobby: their camera, and only that, goes to the officers
    present (not into the record), so they can see who is asking to come in; they
    themselves receive nothing of the hearing."""
    entry = situation.roster[participant_id]
    if entry.role is Role.OBSERVER:
        return NO_MEDIA  # observers never send media
    officers = frozenset(
        pid
        for pid, other in situation.roster.items()
        if other.role.officer  # they check who is asking to come in
        and other.online
        and other.presence is Presence.ADMITTED
        and pid != participant_id
    )
    return MediaRights(
        audio=False,
        video=not entry.muted_video,
        receives=False,
        group=f"lobby:{participant_id}",
        recorded=False,
        audience=officers,
    )
