"""Every cell of the lifecycle: each state × each action is either a transition or refused."""

from __future__ import annotations

import pytest

from hearing.errors import IllegalTransition
from hearing.lifecycle import HearingState, LifecycleAction, next_state

S, A = HearingState, LifecycleAction

# Written out by hand from DESIGN.md, independent of the table in the code.
EXPECTED = {
    (S.SCHEDULED, A.OPEN): S.OPEN,
    (S.SCHEDULED, A.CANCEL): S.CANCELLED,
    (S.OPEN, A.START): S.IN_SESSION,
    (S.OPEN, A.ADJOURN): S.ADJOURNED,
    (S.OPEN, A.CANCEL): S.CANCELLED,
    (S.IN_SESSION, A.RECESS): S.RECESS,
    (S.IN_SESSION, A.ADJOURN): S.ADJOURNED,
    (S.RECESS, A.RESUME): S.IN_SESSION,
    (S.RECESS, A.ADJOURN): S.ADJOURNED,
}


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("action", list(A))
def test_every_state_and_action(state: HearingState, action: LifecycleAction) -> None:
    if (state, action) in EXPECTED:
        assert next_state(state, action) is EXPECTED[(state, action)]
    else:
        with pytest.raises(IllegalTransition) as e:
            next_state(state, action)
        assert e.value.details["state"] == state.value
        assert e.value.details["action"] == action.value
        assert f"cannot {action.value}" in e.value.message


def test_refusal_lists_what_is_allowed() -> None:
    with pytest.raises(IllegalTransition) as e:
        next_state(S.IN_SESSION, A.OPEN)
    assert e.value.details["allowed"] == ["adjourn", "recess"]


@pytest.mark.parametrize("state", list(S))
def test_only_adjourned_and_cancelled_are_final(state: HearingState) -> None:
    assert state.final is (state in (S.ADJOURNED, S.CANCELLED))
    assert state.joinable is not state.final
