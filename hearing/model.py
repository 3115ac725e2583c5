"""Hearings and their participants, as the court's case-management system defines them."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from .clock import HearingClock
from .errors import Conflict, InvalidInput, NotFound, Reason
from .lifecycle import HearingState, LifecycleAction, next_state
from .roles import HearingKind, Role

__all__ = [
    "Hearing",
    "HearingId",
    "HearingSpec",
    "HearingUpdate",
    "NewHearing",
    "Participant",
    "ParticipantId",
    "new_hearing_id",
]

HearingId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$"),
    Field(description="Lower-case letters, digits, '-' and '_'; 1 to 64 characters."),
]
ParticipantId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"),
    Field(description="Letters, digits, '.', '-' and '_'; 1 to 64 characters."),
]
_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
_ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
_Language = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"),
    Field(description="BCP 47 language tag of the hearing, e.g. 'ko', 'zh', 'en'."),
]


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must include a time zone, e.g. 2026-12-01T09:30:00+09:00")
    return value


_Instant = Annotated[datetime, AfterValidator(_aware)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Participant(_Frozen):
    """A person invited to a hearing, as named by the court."""

    id: ParticipantId
    display_name: _Text
    role: Role
    identity: dict[_ShortText, _Text] = Field(
        default_factory=dict,
        max_length=20,
        description="Identity attributes supplied by the court system (ID number, bar number...).",
    )


class HearingSpec(_Frozen):
    """What the court decides about a hearing; editable until it opens."""

    case_number: _ShortText
    title: _Text
    court: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    language: _Language = "ko"
    public: bool = False
    kind: HearingKind = HearingKind.HEARING
    scheduled_start: _Instant
    lobby: bool = Field(
        True,
        description="Participants wait in the lobby until the judge or clerk admits them; "
        "false admits every invited participant as they join.",
    )
    participants: tuple[Participant, ...] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _check_participants(self) -> Self:
        counts = Counter(p.id for p in self.participants)
        duplicates = sorted(pid for pid, n in counts.items() if n > 1)
        if duplicates:
            raise ValueError(f"participant ids must be unique; repeated: {', '.join(duplicates)}")
        presiding = Role.JUDGE if self.kind is HearingKind.HEARING else Role.MEDIATOR
        if not any(p.role is presiding for p in self.participants):
            raise ValueError(f"a {self.kind.value} needs at least one {presiding.value}")
        return self


class NewHearing(HearingSpec):
    """A request to create a hearing; the id is generated when not given."""

    id: HearingId | None = None


class HearingUpdate(_Frozen):
    """A change to a scheduled hearing: the fields given replace the stored ones."""

    case_number: _ShortText | None = None
    title: _Text | None = None
    court: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    language: _Language | None = None
    public: bool | None = None
    kind: HearingKind | None = None
    scheduled_start: _Instant | None = None
    lobby: bool | None = None
    participants: tuple[Participant, ...] | None = Field(default=None, min_length=1, max_length=50)


def new_hearing_id() -> str:
    """A fresh, unguessable hearing id."""
    return "h-" + secrets.token_hex(8)


def _now() -> datetime:
    return datetime.now(UTC)


class Hearing(HearingSpec):
    """A hearing as stored in its `hearing.json`: the spec plus its state and link revocations."""

    id: HearingId
    state: HearingState = HearingState.SCHEDULED
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)
    # Raising a participant's link generation revokes every join link issued before.
    link_generation: dict[ParticipantId, int] = Field(default_factory=dict)
    # Wall-clock intervals in session: the hearing clock (see clock.py).
    sittings: tuple[tuple[float, float | None], ...] = ()

    @property
    def clock(self) -> HearingClock:
        return HearingClock(self.sittings)

    @classmethod
    def create(cls, request: NewHearing) -> Hearing:
        data = request.model_dump()
        data["id"] = request.id or new_hearing_id()
        return cls.model_validate(data)

    def participant(self, participant_id: str) -> Participant:
        for p in self.participants:
            if p.id == participant_id:
                return p
        raise NotFound(
            f"hearing {self.id} has no participant {participant_id!r}",
            details={"hearing_id": self.id, "participant_id": participant_id},
            reason=Reason.PARTICIPANT_NOT_FOUND,
        )

    def generation(self, participant_id: str) -> int:
        return self.link_generation.get(participant_id, 0)

    def updated(self, change: HearingUpdate) -> Hearing:
        """This hearing with `change` applied; only a scheduled hearing can be edited."""
        if self.state is not HearingState.SCHEDULED:
            raise Conflict(
                f"hearing {self.id} is {self.state.value}; it can be edited only while scheduled",
                details={"hearing_id": self.id, "state": self.state.value},
                reason=Reason.HEARING_NOT_EDITABLE,
            )
        fields = change.model_dump(exclude_unset=True)
        if not fields:
            raise InvalidInput(
                "the update names no field to change", reason=Reason.NOTHING_TO_CHANGE
            )
        return self._replace(**fields)

    def transitioned(self, action: LifecycleAction, *, at: float) -> Hearing:
        """This hearing after `action` at wall-clock time `at`; the clock follows the state."""
        state = next_state(self.state, action)
        clock = self.clock
        if state is HearingState.IN_SESSION:
            clock = clock.started(at)
        elif clock.running:
            clock = clock.stopped(at)
        return self._replace(state=state, sittings=clock.sittings)

    def with_links_revoked(self, participant_id: str) -> Hearing:
        self.participant(participant_id)
        generations = dict(self.link_generation)
        generations[participant_id] = self.generation(participant_id) + 1
        return self._replace(link_generation=generations)

    def _replace(self, **fields: Any) -> Hearing:
        data = self.model_dump()
        data.update(fields)
        data["updated_at"] = _now()
        # Re-validate: the result must satisfy every rule a new hearing does.
        return Hearing.model_validate(data)
