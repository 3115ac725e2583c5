"""Every cell of the permission table, against a matrix written out independently here."""
# ruff: noqa: E501  (the matrix reads best as one row per role)

from __future__ import annotations

import pytest

from hearing.errors import NotPermitted
from hearing.permissions import Action, Grant, authorize, grant
from hearing.roles import Role

Y, N, CALLED, PUBLIC = Grant.ALLOWED, Grant.DENIED, Grant.WHEN_CALLED, Grant.WHEN_PUBLIC

# Rows: DESIGN.md "Roles and the hearing lifecycle". Columns in the order of `COLUMNS`.
COLUMNS = [
    "join", "publish", "subscribe", "raise_hand",
    "open", "start", "recess", "resume", "adjourn",
    "see_lobby", "verify_identity", "admit", "deny", "return_to_lobby", "lock",
    "mute", "request_unmute", "remove", "call_witness", "release_witness",
    "open_caucus", "close_caucus", "set_public_viewing", "control_recording",
    "correct_transcript", "confirm_transcript", "download_record",
]  # fmt: skip
MATRIX = {
    #                 join   pub     sub     hand  open start rec res adj  lobby ver adm deny ret lock mute unm rem call rel  ocau ccau pub rec  corr conf dl
    Role.JUDGE:       [Y,    Y,      Y,      Y,    Y,   Y,    Y,  Y,  Y,   Y,    Y,  Y,  Y,   Y,  Y,   Y,   Y,  Y,  Y,   Y,   Y,   Y,   Y,  Y,   Y,   Y,   Y],
    Role.MEDIATOR:    [Y,    Y,      Y,      Y,    Y,   Y,    Y,  Y,  Y,   Y,    Y,  Y,  Y,   Y,  Y,   Y,   Y,  Y,  Y,   Y,   Y,   Y,   Y,  Y,   Y,   Y,   Y],
    Role.CLERK:       [Y,    Y,      Y,      Y,    N,   N,    N,  N,  N,   Y,    Y,  Y,  Y,   Y,  N,   Y,   Y,  N,  N,   N,   N,   N,   N,  N,   Y,   N,   Y],
    Role.PARTY:       [Y,    Y,      Y,      Y,    N,   N,    N,  N,  N,   N,    N,  N,  N,   N,  N,   N,   N,  N,  N,   N,   N,   N,   N,  N,   N,   Y,   N],
    Role.COUNSEL:     [Y,    Y,      Y,      Y,    N,   N,    N,  N,  N,   N,    N,  N,  N,   N,  N,   N,   N,  N,  N,   N,   N,   N,   N,  N,   N,   Y,   N],
    Role.INTERPRETER: [Y,    Y,      Y,      Y,    N,   N,    N,  N,  N,   N,    N,  N,  N,   N,  N,   N,   N,  N,  N,   N,   N,   N,   N,  N,   N,   Y,   N],
    Role.WITNESS:     [Y,    CALLED, CALLED, Y,    N,   N,    N,  N,  N,   N,    N,  N,  N,   N,  N,   N,   N,  N,  N,   N,   N,   N,   N,  N,   N,   Y,   N],
    Role.OBSERVER:    [PUBLIC, N,    PUBLIC, N,    N,   N,    N,  N,  N,   N,    N,  N,  N,   N,  N,   N,   N,  N,  N,   N,   N,   N,   N,  N,   N,   N,   N],
}  # fmt: skip

CELLS = [(role, Action(col), MATRIX[role][i]) for role in Role for i, col in enumerate(COLUMNS)]


def test_matrix_covers_every_role_and_action() -> None:
    assert set(MATRIX) == set(Role)
    assert sorted(COLUMNS) == sorted(a.value for a in Action)


@pytest.mark.parametrize(("role", "action", "expected"), CELLS)
def test_cell(role: Role, action: Action, expected: Grant) -> None:
    assert grant(role, action) is expected
    # What authorize() does with the cell, in every context the cell depends on.
    for public in (False, True):
        for called in (False, True):
            allowed = (
                expected is Y or (expected is CALLED and called) or (expected is PUBLIC and public)
            )
            if allowed:
                authorize(role, action, public=public, called=called)
            else:
                with pytest.raises(NotPermitted) as e:
                    authorize(role, action, public=public, called=called)
                assert e.value.details == {"role": role.value, "action": action.value}
                assert role.value in e.value.message


def test_refusals_say_why() -> None:
    with pytest.raises(NotPermitted, match="only after being called"):
        authorize(Role.WITNESS, Action.PUBLISH)
    with pytest.raises(NotPermitted, match="only in a public hearing"):
        authorize(Role.OBSERVER, Action.JOIN, public=False)
    with pytest.raises(NotPermitted, match="a party may not adjourn"):
        authorize(Role.PARTY, Action.ADJOURN)
