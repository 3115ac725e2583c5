"""Who takes part in a hearing, and in what capacity."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["HearingKind", "Role"]


class HearingKind(StrEnum):
    """A court hearing is run by a judge; a mediation by a mediator."""

    HEARING = "hearing"
    MEDIATION = "mediation"


class Role(StrEnum):
    """A participant's role; it decides what they may see, say and control."""

    JUDGE = "judge"
    MEDIATOR = "mediator"
    CLERK = "clerk"
    PARTY = "party"
    COUNSEL = "counsel"
    WITNESS = "witness"
    INTERPRETER = "interpreter"
    OBSERVER = "observer"

    @property
    def officer(self) -> bool:
        """One of the court's officers: runs or keeps the hearing (judge, mediator, clerk)."""
        return self in (Role.JUDGE, Role.MEDIATOR, Role.CLERK)

    @property
    def presides(self) -> bool:
        """Whether this role runs the session (judge in a hearing, mediator in a mediation)."""
        return self in (Role.JUDGE, Role.MEDIATOR)
