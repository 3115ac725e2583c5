"""Live room state shared by every process of a deployment: who is connected, where, and how.

`RoomStore` is the coordination seam. `InMemoryRoomStore` serves the embedded,
single-process server; a Redis implementation (in `signaling`) passes the same
contract tests and lets several signaling and media processes share rooms.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Protocol

from .lifecycle import HearingState
from .roles import Role

__all__ = ["InMemoryRoomStore", "Presence", "RoomControls", "RoomStore", "Roster", "RosterEntry"]


class Presence(StrEnum):
    """Where a connected participant is."""

    CONNECTED = "connected"
    """On the join page, checking camera and microphone."""
    LOBBY = "lobby"
    """Asked to join; waiting to be admitted."""
    ADMITTED = "admitted"
    """In the hearing."""


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One participant's live connection and standing in the hearing."""

    participant_id: str
    display_name: str
    role: Role
    presence: Presence
    sid: str
    node: str
    since: float = field(default_factory=time.time)
    verified_by: str | None = None
    """Who checked the participant's identity in this session, how and when."""
    verified_method: str | None = None
    verified_at: float | None = None
    muted_audio: bool = False
    """Muted by the court: the node forwards nothing of that kind until released."""
    muted_video: bool = False
    called: bool = False
    """A witness called in by the judge (until then sequestered)."""
    hand_raised_at: float | None = None
    dropped_at: float | None = None
    """When the connection dropped; the place is kept for the reconnection grace period."""

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> RosterEntry:
        data = json.loads(raw)
        data["role"] = Role(data["role"])
        data["presence"] = Presence(data["presence"])
        return cls(**data)

    def moved(self, presence: Presence) -> RosterEntry:
        return replace(self, presence=presence, since=time.time())

    def but(self, **changes: object) -> RosterEntry:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def online(self) -> bool:
        return self.dropped_at is None


@dataclass(frozen=True, slots=True)
class RoomControls:
    """The judge's settings of a hearing in progress."""

    locked: bool = False
    """No new admissions."""
    public_viewing: bool = True
    """Observers may watch (only ever true in a hearing marked public)."""
    caucus: tuple[str, ...] = ()
    """Members of the private session a mediator holds with one side (empty: none)."""

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> RoomControls:
        data = json.loads(raw)
        data["caucus"] = tuple(data["caucus"])
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Roster:
    """A hearing's roster; `version` grows by one with every change, across processes."""

    hearing_id: str
    version: int
    entries: tuple[RosterEntry, ...]

    @classmethod
    def of(cls, hearing_id: str, version: int, entries: list[RosterEntry]) -> Roster:
        return cls(hearing_id, version, tuple(sorted(entries, key=lambda e: e.participant_id)))

    def entry(self, participant_id: str) -> RosterEntry | None:
        return next((e for e in self.entries if e.participant_id == participant_id), None)


class RoomStore(Protocol):
    """Live state of hearing rooms. Every change is atomic and bumps the roster version."""

    async def put(self, hearing_id: str, entry: RosterEntry) -> tuple[Roster, RosterEntry | None]:
        """Set the participant's entry; return the roster and the entry it replaced, if any."""
        ...

    async def remove(self, hearing_id: str, participant_id: str, sid: str) -> Roster | None:
        """Remove the participant if still connected through `sid`; None when nothing changed."""
        ...

    async def roster(self, hearing_id: str) -> Roster: ...

    async def locate(self, hearing_id: str, participant_id: str) -> RosterEntry | None:
        """The participant's live connection (socket and node), if connected."""
        ...

    async def set_state(self, hearing_id: str, state: HearingState) -> None: ...

    async def controls(self, hearing_id: str) -> RoomControls: ...

    async def set_controls(self, hearing_id: str, controls: RoomControls) -> None: ...

    async def state(self, hearing_id: str) -> HearingState | None:
        """The live lifecycle state, or None when no process has published one yet."""
        ...

    async def drop_node(self, node: str) -> dict[str, Roster]:
        """Remove every connection held by `node` (shut down or dead); return changed rosters."""
        ...

    async def close(self) -> None: ...


class InMemoryRoomStore:
    """The embedded single-process store."""

    def __init__(self) -> None:
        self._rooms: dict[str, dict[str, RosterEntry]] = {}
        self._versions: dict[str, int] = {}
        self._states: dict[str, HearingState] = {}
        self._controls: dict[str, RoomControls] = {}

    async def put(self, hearing_id: str, entry: RosterEntry) -> tuple[Roster, RosterEntry | None]:
        room = self._rooms.setdefault(hearing_id, {})
        previous = room.get(entry.participant_id)
        room[entry.participant_id] = entry
        return self._bump(hearing_id), previous

    async def remove(self, hearing_id: str, participant_id: str, sid: str) -> Roster | None:
        room = self._rooms.get(hearing_id, {})
        current = room.get(participant_id)
        if current is None or current.sid != sid:
            return None
        del room[participant_id]
        return self._bump(hearing_id)

    async def roster(self, hearing_id: str) -> Roster:
        room = self._rooms.get(hearing_id, {})
        return Roster.of(hearing_id, self._versions.get(hearing_id, 0), list(room.values()))

    async def locate(self, hearing_id: str, participant_id: str) -> RosterEntry | None:
        return self._rooms.get(hearing_id, {}).get(participant_id)

    async def set_state(self, hearing_id: str, state: HearingState) -> None:
        self._states[hearing_id] = state

    async def state(self, hearing_id: str) -> HearingState | None:
        return self._states.get(hearing_id)

    async def controls(self, hearing_id: str) -> RoomControls:
        return self._controls.get(hearing_id, RoomControls())

    async def set_controls(self, hearing_id: str, controls: RoomControls) -> None:
        self._controls[hearing_id] = controls

    async def drop_node(self, node: str) -> dict[str, Roster]:
        changed: dict[str, Roster] = {}
        for hearing_id, room in self._rooms.items():
            gone = [pid for pid, e in room.items() if e.node == node]
            for pid in gone:
                del room[pid]
            if gone:
                changed[hearing_id] = self._bump(hearing_id)
        return changed

    async def close(self) -> None:
        self._rooms.clear()

    def _bump(self, hearing_id: str) -> Roster:
        self._versions[hearing_id] = self._versions.get(hearing_id, 0) + 1
        room = self._rooms.get(hearing_id, {})
        return Roster.of(hearing_id, self._versions[hearing_id], list(room.values()))
