"""The one permission table (role × action) that every control of the server consults."""

from __future__ import annotations

from enum import StrEnum

from .errors import NotPermitted, Reason
from .roles import Role

__all__ = ["Action", "Grant", "PERMISSIONS", "authorize", "grant"]


class Action(StrEnum):
    """Everything a participant can ask the server to do."""

    JOIN = "join"
    PUBLISH = "publish"
    SUBSCRIBE = "subscribe"
    RAISE_HAND = "raise_hand"
    # lifecycle
    OPEN = "open"
    START = "start"
    RECESS = "recess"
    RESUME = "resume"
    ADJOURN = "adjourn"
    # lobby
    SEE_LOBBY = "see_lobby"
    VERIFY_IDENTITY = "verify_identity"
    ADMIT = "admit"
    DENY = "deny"
    RETURN_TO_LOBBY = "return_to_lobby"
    LOCK = "lock"
    # people and media
    MUTE = "mute"
    REQUEST_UNMUTE = "request_unmute"
    REMOVE = "remove"
    CALL_WITNESS = "call_witness"
    RELEASE_WITNESS = "release_witness"
    OPEN_CAUCUS = "open_caucus"
    CLOSE_CAUCUS = "close_caucus"
    SET_PUBLIC_VIEWING = "set_public_viewing"
    CONTROL_RECORDING = "control_recording"
    # the record
    CORRECT_TRANSCRIPT = "correct_transcript"
    CONFIRM_TRANSCRIPT = "confirm_transcript"
    DOWNLOAD_RECORD = "download_record"


class Grant(StrEnum):
    """One cell of the table."""

    ALLOWED = "allowed"
    DENIED = "denied"
    # A witness is sequestered: they take part only once the judge has called them.
    WHEN_CALLED = "when_called"
    # Observers may watch public hearings only.
    WHEN_PUBLIC = "when_public"


_A = Action
_Y = Grant.ALLOWED

_PRESIDING = frozenset(Action)
_CLERK = frozenset(
    {
        _A.JOIN,
        _A.PUBLISH,
        _A.SUBSCRIBE,
        _A.RAISE_HAND,
        _A.SEE_LOBBY,
        _A.VERIFY_IDENTITY,
        _A.ADMIT,
        _A.DENY,
        _A.RETURN_TO_LOBBY,
        _A.MUTE,
        _A.REQUEST_UNMUTE,
        _A.CORRECT_TRANSCRIPT,
        _A.DOWNLOAD_RECORD,
    }
)
_PARTICIPANT = frozenset({_A.JOIN, _A.PUBLISH, _A.SUBSCRIBE, _A.RAISE_HAND, _A.CONFIRM_TRANSCRIPT})


def _row(allowed: frozenset[Action], **special: Grant) -> dict[Action, Grant]:
    row = {a: (_Y if a in allowed else Grant.DENIED) for a in Action}
    row.update({Action(k): v for k, v in special.items()})
    return row


PERMISSIONS: dict[Role, dict[Action, Grant]] = {
    Role.JUDGE: _row(_PRESIDING),
    Role.MEDIATOR: _row(_PRESIDING),
    Role.CLERK: _row(_CLERK),
    Role.PARTY: _row(_PARTICIPANT),
    Role.COUNSEL: _row(_PARTICIPANT),
    Role.INTERPRETER: _row(_PARTICIPANT),
    Role.WITNESS: _row(
        # After the hearing a witness confirms the transcript too (their testimony is in it).
        frozenset({_A.JOIN, _A.RAISE_HAND, _A.CONFIRM_TRANSCRIPT}),
        publish=Grant.WHEN_CALLED,
        subscribe=Grant.WHEN_CALLED,
    ),
    Role.OBSERVER: _row(
        frozenset(),
        join=Grant.WHEN_PUBLIC,
        subscribe=Grant.WHEN_PUBLIC,
    ),
}


def grant(role: Role, action: Action) -> Grant:
    """The table's cell for `role` and `action`."""
    return PERMISSIONS[role][action]


def authorize(role: Role, action: Action, *, public: bool = False, called: bool = False) -> None:
    """Raise NotPermitted unless `role` may do `action` given the hearing and the participant.

    `public` says whether the hearing admits observers; `called` whether a witness has
    been called in.
    """
    cell = grant(role, action)
    if cell is Grant.ALLOWED:
        return
    if cell is Grant.WHEN_CALLED and called:
        return
    if cell is Grant.WHEN_PUBLIC and public:
        return
    message, reason = {
        Grant.DENIED: (
            f"a {role.value} may not {action.value.replace('_', ' ')}",
            Reason.ROLE_NOT_PERMITTED,
        ),
        Grant.WHEN_CALLED: (
            f"a {role.value} may {action.value} only after being called",
            Reason.NOT_CALLED_YET,
        ),
        Grant.WHEN_PUBLIC: (
            f"a {role.value} may {action.value} only in a public hearing",
            Reason.ONLY_IN_PUBLIC_HEARINGS,
        ),
    }[cell]
    raise NotPermitted(message, details={"role": role.value, "action": action.value}, reason=reason)
