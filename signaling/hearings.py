"""The application service behind the REST API and the Socket.IO namespace.

It runs the blocking repository in worker threads, keeps the live room state in step
with the durable record, and turns join tokens into authenticated participants.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hearing.audit import Outcome
from hearing.errors import Conflict, HearingError, NotFound
from hearing.lifecycle import HearingState, LifecycleAction
from hearing.model import Hearing, HearingUpdate, NewHearing, Participant
from hearing.repository import HearingRepository
from hearing.rooms import RoomStore

from .schemas import JoinLink, JoinLinks, LinkRequest
from .tokens import InvalidToken, JoinClaims, JoinTokens

__all__ = ["ADMIN", "Caller", "HearingService"]

# How the court's case-management system (the admin token) appears in audit logs.
ADMIN = "court-system"


@dataclass(frozen=True, slots=True)
class Caller:
    """A participant authenticated by their join token."""

    hearing: Hearing
    participant: Participant
    claims: JoinClaims


class HearingService:
    """Hearings, join links and authentication, over the repository and the room store."""

    def __init__(
        self, repository: HearingRepository, rooms: RoomStore, tokens: JoinTokens, base_url: str
    ) -> None:
        self.repository = repository
        self.rooms = rooms
        self.tokens = tokens
        self.base_url = base_url

    async def create(self, request: NewHearing) -> Hearing:
        hearing = await asyncio.to_thread(self.repository.create, request, actor=ADMIN)
        await self.rooms.set_state(hearing.id, hearing.state)
        return hearing

    async def get(self, hearing_id: str) -> Hearing:
        return await asyncio.to_thread(self.repository.get, hearing_id)

    async def list(self) -> list[Hearing]:
        return await asyncio.to_thread(self.repository.list)

    async def update(self, hearing_id: str, change: HearingUpdate) -> Hearing:
        fields = sorted(change.model_dump(exclude_unset=True))
        return await self._change(
            hearing_id,
            lambda h: h.updated(change),
            actor=ADMIN,
            action="hearing_updated",
            details={"fields": fields},
        )

    async def transition(
        self, hearing_id: str, action: LifecycleAction, *, actor: str, details: dict[str, Any]
    ) -> Hearing:
        hearing = await self._change(
            hearing_id,
            lambda h: h.transitioned(action, at=time.time()),
            actor=actor,
            action=f"hearing_{action.value}",
            details=details,
        )
        await self.rooms.set_state(hearing_id, hearing.state)
        return hearing

    async def issue_links(self, hearing_id: str, request: LinkRequest) -> JoinLinks:
        hearing = await self.get(hearing_id)
        if hearing.state.final:
            raise Conflict(
                f"hearing {hearing_id} is {hearing.state.value}; no new join links can be issued",
                details={"hearing_id": hearing_id, "state": hearing.state.value},
            )
        wanted = request.participants or [p.id for p in hearing.participants]
        participants = [hearing.participant(pid) for pid in dict.fromkeys(wanted)]
        links = []
        for p in participants:
            token = self.tokens.issue(hearing, p.id, ttl_seconds=request.ttl_seconds)
            claims = self.tokens.read(token)
            links.append(
                JoinLink(
                    participant_id=p.id,
                    display_name=p.display_name,
                    role=p.role,
                    url=f"{self.base_url}/join#token={token}",
                    token=token,
                    expires_at=datetime.fromtimestamp(claims.expires_at, UTC),
                )
            )
        await self._audit(
            hearing_id,
            ADMIN,
            "links_issued",
            details={"participants": [p.id for p in participants]},
        )
        return JoinLinks(hearing_id=hearing_id, links=links)

    async def revoke_links(
        self, hearing_id: str, participant_id: str, *, actor: str = ADMIN
    ) -> Hearing:
        return await self._change(
            hearing_id,
            lambda h: h.with_links_revoked(participant_id),
            actor=actor,
            action="links_revoked",
            target=participant_id,
        )

    async def authenticate(self, token: str, *, purpose: str) -> Caller:
        """The participant a join token names, or an error saying why it cannot be used.

        A genuine token that is refused (expired, revoked) is audited against its hearing
        under `purpose`; forged or garbled tokens name no hearing and are not.
        """
        try:
            claims = self.tokens.read(token)
            try:
                hearing = await self.get(claims.hearing_id)
                participant = hearing.participant(claims.participant_id)
            except NotFound:
                raise InvalidToken(
                    "this join link names a hearing or participant that does not exist"
                ) from None
            self.tokens.check(claims, hearing)
        except InvalidToken as e:
            if e.claims is not None:
                with suppress(NotFound):  # a hearing that no longer exists has no log
                    await self.refused(e.claims.hearing_id, e.claims.participant_id, purpose, e)
            raise
        return Caller(hearing, participant, claims)

    async def refused(
        self,
        hearing_id: str,
        actor: str,
        action: str,
        error: HearingError,
        *,
        target: str | None = None,
    ) -> None:
        """Audit a refused request against the hearing it concerned."""
        await self._audit(
            hearing_id,
            actor,
            action,
            target=target,
            outcome=Outcome.REFUSED,
            details={"code": error.code, "reason": error.reason_code, "message": error.message},
        )

    async def record(
        self,
        hearing_id: str,
        actor: str,
        action: str,
        details: dict[str, Any] | None = None,
        *,
        target: str | None = None,
        outcome: Outcome = Outcome.DONE,
    ) -> None:
        await self._audit(
            hearing_id, actor, action, target=target, details=details, outcome=outcome
        )

    async def live_state(self, hearing: Hearing) -> HearingState:
        return await self.rooms.state(hearing.id) or hearing.state

    async def _audit(
        self,
        hearing_id: str,
        actor: str,
        action: str,
        *,
        target: str | None = None,
        outcome: Outcome = Outcome.DONE,
        details: dict[str, Any] | None = None,
    ) -> None:
        def record() -> None:
            clock = self.repository.get(hearing_id).clock.at(time.time())
            self.repository.audit(hearing_id).record(
                actor, action, target=target, outcome=outcome, details=details, clock=clock
            )

        await asyncio.to_thread(record)

    async def _change(self, hearing_id: str, change: Any, **audit: Any) -> Hearing:
        return await asyncio.to_thread(self.repository.change, hearing_id, change, **audit)
