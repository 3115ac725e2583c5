"""Typed errors of the hearing domain; every one carries a stable code and a human message.

`code` is the kind of error (`conflict`, `not_permitted`...), which decides the HTTP
status; `reason_code` names the very refusal (`hearing_locked`...), stable, so that
the pages can say it in the reader's language. It is the `code` unless the raiser
names a `Reason`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

__all__ = [
    "Conflict",
    "HearingError",
    "IllegalTransition",
    "InvalidInput",
    "NotFound",
    "NotPermitted",
    "Reason",
]


class Reason(StrEnum):
    """The refusals people meet, each with a stable machine code (the `reason` field).

    The details that come with each are named in the comment; the pages fill them into
    their own wording (web/src/i18n.js, keys `refusal.<reason>`).
    """

    # Who may do what (details: role, action).
    ROLE_NOT_PERMITTED = "role_not_permitted"
    NOT_CALLED_YET = "not_called_yet"
    ONLY_IN_PUBLIC_HEARINGS = "only_in_public_hearings"
    # The hearing and its state.
    HEARING_NOT_FOUND = "hearing_not_found"
    HEARING_EXISTS = "hearing_exists"
    HEARING_NOT_EDITABLE = "hearing_not_editable"  # state
    NOTHING_TO_CHANGE = "nothing_to_change"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"  # state, action
    HEARING_CLOSED = "hearing_closed"  # state
    HEARING_NOT_LIVE = "hearing_not_live"  # state
    CANCEL_BY_COURT_SYSTEM = "cancel_by_court_system"
    # The people the controls act on (details: participant_id; kind for media).
    PARTICIPANT_NOT_FOUND = "participant_not_found"
    NOT_CONNECTED = "not_connected"
    TARGET_MISSING = "target_missing"  # control
    TARGET_IS_OFFICER = "target_is_officer"  # role
    NOT_IN_LOBBY = "not_in_lobby"
    NOT_IN_HEARING = "not_in_hearing"
    VERIFY_METHOD_MISSING = "verify_method_missing"
    HEARING_LOCKED = "hearing_locked"
    ALREADY_LOCKED = "already_locked"
    ALREADY_UNLOCKED = "already_unlocked"
    OBSERVERS_NEED_PUBLIC_VIEWING = "observers_need_public_viewing"
    ALREADY_MUTED = "already_muted"
    NOT_MUTED_BY_COURT = "not_muted_by_court"
    KIND_MISSING = "kind_missing"  # control
    NOT_A_WITNESS = "not_a_witness"
    ALREADY_CALLED = "already_called"
    ALREADY_RELEASED = "already_released"
    CAUCUS_IN_MEDIATIONS_ONLY = "caucus_in_mediations_only"
    CAUCUS_ALREADY_OPEN = "caucus_already_open"
    CAUCUS_MEMBERS_MISSING = "caucus_members_missing"
    CAUCUS_MEMBER_PRESIDES = "caucus_member_presides"
    NO_CAUCUS = "no_caucus"
    VALUE_MISSING = "value_missing"
    HEARING_NOT_PUBLIC = "hearing_not_public"
    PUBLIC_VIEWING_ALREADY_ON = "public_viewing_already_on"
    PUBLIC_VIEWING_ALREADY_OFF = "public_viewing_already_off"
    HAND_BEFORE_ADMISSION = "hand_before_admission"
    HAND_ALREADY_RAISED = "hand_already_raised"
    HAND_NOT_RAISED = "hand_not_raised"
    # The connection and its requests.
    INVALID_REQUEST = "invalid_request"  # field
    STALE_CONNECTION = "stale_connection"
    NO_MEDIA_NODE = "no_media_node"
    MEDIA_BEFORE_ADMISSION = "media_before_admission"
    ALREADY_PUBLISHING = "already_publishing"
    INVALID_SDP = "invalid_sdp"
    NO_OFFER_WAITING = "no_offer_waiting"
    # The record.
    LINK_FOR_OTHER_HEARING = "link_for_other_hearing"
    SEGMENT_NOT_FOUND = "segment_not_found"  # seq
    HEARING_NOT_ADJOURNED = "hearing_not_adjourned"  # state
    RECORD_NOT_COMPLETE = "record_not_complete"
    TRANSCRIPT_CHANGED = "transcript_changed"
    NOTE_REQUIRED = "note_required"
    NOTE_TOO_LONG = "note_too_long"
    RECORDING_NOT_FOUND = "recording_not_found"
    FORMAT_NOT_FOUND = "format_not_found"
    RECORDING_LINK_INVALID = "recording_link_invalid"
    RECORDING_LINK_EXPIRED = "recording_link_expired"
    RECORDING_LINK_REVOKED = "recording_link_revoked"
    RECORD_NOT_SEALED = "record_not_sealed"  # state


class HearingError(Exception):
    """Base of every error a user of the hearing server can cause."""

    code = "hearing_error"

    def __init__(
        self,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        reason: Reason | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}
        self.reason_code: str = reason.value if reason is not None else self.code


class NotFound(HearingError):
    """The named hearing or participant does not exist."""

    code = "not_found"


class Conflict(HearingError):
    """The request clashes with what is already stored (duplicate id, wrong state)."""

    code = "conflict"


class InvalidInput(HearingError):
    """The request was well formed but its content is not acceptable."""

    code = "invalid_input"


class IllegalTransition(HearingError):
    """A lifecycle action that is not allowed from the hearing's current state."""

    code = "illegal_transition"


class NotPermitted(HearingError):
    """The participant's role does not allow the action."""

    code = "not_permitted"
