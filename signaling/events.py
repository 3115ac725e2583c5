"""Messages the server sends over Socket.IO (namespace `/hearing`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hearing.errors import HearingError
from hearing.lifecycle import HearingState
from hearing.roles import Role
from hearing.rooms import Presence, RoomControls, Roster

__all__ = [
    "ErrorMessage",
    "RosterMember",
    "RosterMessage",
    "SessionEnded",
    "StateMessage",
    "Welcome",
]


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class RosterMember(_Message):
    participant_id: str
    display_name: str
    role: Role
    presence: Presence
    since: float
    online: bool
    verified_by: str | None
    verified_method: str | None
    verified_at: float | None
    muted_audio: bool
    muted_video: bool
    called: bool
    hand_raised_at: float | None


class RosterMessage(_Message):
    """Event `roster`: everyone connected to the hearing; `version` only ever grows."""

    hearing_id: str
    version: int
    state: HearingState
    locked: bool
    public_viewing: bool
    caucus: list[str]
    participants: list[RosterMember]

    @classmethod
    def of(cls, roster: Roster, state: HearingState, controls: RoomControls) -> RosterMessage:
        members = [
            RosterMember(
                participant_id=e.participant_id,
                display_name=e.display_name,
                role=e.role,
                presence=e.presence,
                since=e.since,
                online=e.online,
                verified_by=e.verified_by,
                verified_method=e.verified_method,
                verified_at=e.verified_at,
                muted_audio=e.muted_audio,
                muted_video=e.muted_video,
                called=e.called,
                hand_raised_at=e.hand_raised_at,
            )
            for e in roster.entries
        ]
        return cls(
            hearing_id=roster.hearing_id,
            version=roster.version,
            state=state,
            locked=controls.locked,
            public_viewing=controls.public_viewing,
            caucus=list(controls.caucus),
            participants=members,
        )


class StateMessage(_Message):
    """Event `hearing_state`: the hearing moved to a new lifecycle state."""

    hearing_id: str
    state: HearingState
    clock: float = Field(description="Hearing clock: seconds in session so far.")
    clock_running: bool


class ErrorMessage(_Message):
    """Event `error`, and the `error` of a refused request's ack: same fields as the REST API."""

    code: str
    reason: str = Field(
        default="",
        description="The very refusal, a stable machine code for translation "
        "(hearing.errors.Reason); the `code` when there is no more specific one.",
    )
    message: str
    details: dict[str, Any] = Field(default_factory=dict)
    event: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _reason_defaults_to_code(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("reason"):
            return {**data, "reason": data.get("code")}
        return data

    @classmethod
    def of(cls, error: HearingError, *, code: str | None = None) -> ErrorMessage:
        """The message for a refusal; `code` replaces the error's own (connection refusals)."""
        return cls(
            code=code or error.code,
            reason=error.reason_code,
            message=error.message,
            details=error.details,
        )


class SessionEnded(_Message):
    """Event `session_ended`, sent just before the server closes a participant's connection."""

    code: str
    message: str


class Welcome(_Message):
    """The ack of `hello`: who the server thinks you are, and the roster."""

    participant_id: str
    display_name: str
    role: Role
    roster: RosterMessage
    clock: float = Field(0.0, description="Hearing clock: seconds in session so far.")
    clock_running: bool = False
    ice_servers: list[dict[str, Any]] = Field(
        default_factory=list, description="RTCConfiguration.iceServers for the browser."
    )
