"""The hearing lifecycle: scheduled → open → in_session ⇄ recess → adjourned."""

from __future__ import annotations

from enum import StrEnum

from .errors import IllegalTransition, Reason

__all__ = ["HearingState", "LifecycleAction", "TRANSITIONS", "next_state"]


class HearingState(StrEnum):
    """Where a hearing stands; adjourned and cancelled are final."""

    SCHEDULED = "scheduled"
    OPEN = "open"
    IN_SESSION = "in_session"
    RECESS = "recess"
    ADJOURNED = "adjourned"
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        return self in (HearingState.ADJOURNED, HearingState.CANCELLED)

    @property
    def joinable(self) -> bool:
        """Whether participants may connect at all (they wait for the judge until it opens)."""
        return not self.final


class LifecycleAction(StrEnum):
    """What moves a hearing from one state to the next."""

    OPEN = "open"
    START = "start"
    RECESS = "recess"
    RESUME = "resume"
    ADJOURN = "adjourn"
    CANCEL = "cancel"


_S = HearingState
_A = LifecycleAction

TRANSITIONS: dict[tuple[HearingState, LifecycleAction], HearingState] = {
    (_S.SCHEDULED, _A.OPEN): _S.OPEN,
    (_S.OPEN, _A.START): _S.IN_SESSION,
    (_S.IN_SESSION, _A.RECESS): _S.RECESS,
    (_S.RECESS, _A.RESUME): _S.IN_SESSION,
    # A judge may close a hearing that never started (a party did not appear).
    (_S.OPEN, _A.ADJOURN): _S.ADJOURNED,
    (_S.IN_SESSION, _A.ADJOURN): _S.ADJOURNED,
    (_S.RECESS, _A.ADJOURN): _S.ADJOURNED,
    # Cancelling is for hearings that have not started; one that sat is adjourned instead.
    (_S.SCHEDULED, _A.CANCEL): _S.CANCELLED,
    (_S.OPEN, _A.CANCEL): _S.CANCELLED,
}


def next_state(state: HearingState, action: LifecycleAction) -> HearingState:
    """The state `action` leads to from `state`, or IllegalTransition."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        allowed = sorted(a.value for (s, a) in TRANSITIONS if s is state)
        raise IllegalTransition(
            f"cannot {action.value} a hearing that is {state.value}",
            details={"state": state.value, "action": action.value, "allowed": allowed},
            reason=Reason.TRANSITION_NOT_ALLOWED,
        ) from None
