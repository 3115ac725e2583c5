"""Typed errors of the hearing domain; every one carries a stable code and a human message."""

from __future__ import annotations

from typing import Any

__all__ = [
    "Conflict",
    "HearingError",
    "IllegalTransition",
    "InvalidInput",
    "NotFound",
    "NotPermitted",
]


class HearingError(Exception):
    """Base of every error a user of the hearing server can cause."""

    code = "hearing_error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}


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
