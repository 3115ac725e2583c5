"""The hearing domain: hearings, participants, roles, permissions, lifecycle and the record."""

from .audit import AuditLog, Outcome
from .errors import Conflict, HearingError, IllegalTransition, InvalidInput, NotFound, NotPermitted
from .lifecycle import HearingState, LifecycleAction, next_state
from .model import Hearing, HearingSpec, HearingUpdate, NewHearing, Participant
from .permissions import Action, Grant, authorize
from .repository import HearingRepository
from .roles import HearingKind, Role
from .rooms import InMemoryRoomStore, Presence, RoomStore, Roster, RosterEntry

__all__ = [
    "Action",
    "AuditLog",
    "Conflict",
    "Grant",
    "Hearing",
    "HearingError",
    "HearingKind",
    "HearingRepository",
    "HearingSpec",
    "HearingState",
    "HearingUpdate",
    "IllegalTransition",
    "InMemoryRoomStore",
    "InvalidInput",
    "LifecycleAction",
    "NewHearing",
    "NotFound",
    "NotPermitted",
    "Outcome",
    "Participant",
    "Presence",
    "Role",
    "RoomStore",
    "Roster",
    "RosterEntry",
    "authorize",
    "next_state",
]
