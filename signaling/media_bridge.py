"""Signaling for WebRTC: relays offers and answers between participants and the media node.

Publishing: the participant offers, the node answers (ack of `publish`). Receiving:
the node offers whenever the tracks a participant should receive change; the bridge
sends the offer (`subscribe_offer`) and waits for the participant's `subscribe_answer`
before it sends the next one, so offers never cross.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, Literal

from hearing.errors import Conflict, InvalidInput, NotFound, Reason
from hearing.session import NO_MEDIA, MediaRights, Situation, media_rights
from hearing.tasks import TaskSet
from media import MediaNode, SessionDescription

__all__ = ["MediaBridge"]

log = logging.getLogger(__name__)

ANSWER_TIMEOUT = 10.0
"""How long a participant's browser may take to answer an offer before we move on."""

Send = Callable[[str, str, dict[str, Any]], Awaitable[bool]]
"""send(hearing_id, participant_id, offer payload) → whether the participant is connected."""


@dataclass
class _Negotiation:
    """One participant's receive-side negotiation: at most one offer outstanding."""

    wanted: asyncio.Event = field(default_factory=asyncio.Event)
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class MediaBridge:
    """Drives the media node on behalf of the Socket.IO namespace."""

    def __init__(self, node: MediaNode, send: Send) -> None:
        self.node = node
        self._send = send
        self._tasks = TaskSet("media-bridge")
        self._negotiations: dict[tuple[str, str], _Negotiation] = {}
        self._rights: dict[tuple[str, str], MediaRights] = {}
        """What the node was last told for each participant with media."""
        node.on_renegotiate = self.renegotiate

    async def sync(self, situation: Situation) -> None:
        """Make the node forward exactly what `media_rights` allows, for everyone."""
        hearing_id = situation.hearing.id
        wanted = {pid: media_rights(situation, pid) for pid in situation.roster}
        for (hid, pid), _ in list(self._rights.items()):
            if hid == hearing_id and wanted.get(pid, NO_MEDIA) == NO_MEDIA:
                await self.leave(hid, pid)
        for pid, rights in wanted.items():
            key = (hearing_id, pid)
            if rights == NO_MEDIA or self._rights.get(key) == rights:
                continue
            if key not in self._rights:
                self.node.join(hearing_id, pid, publishes=False, receives=False)
                self._rights[key] = NO_MEDIA
            self.node.set_rights(
                hearing_id,
                pid,
                audio=rights.audio,
                video=rights.video,
                receives=rights.receives,
                group=rights.group,
                recorded=rights.recorded,
                audience=rights.audience,
            )
            self._rights[key] = rights

    async def publish(self, hearing_id: str, participant_id: str, offer: Any) -> dict[str, str]:
        answer = await self.node.publish(hearing_id, participant_id, _description(offer, "offer"))
        return {"type": answer.type, "sdp": answer.sdp}

    async def answer(self, hearing_id: str, participant_id: str, answer: Any) -> None:
        negotiation = self._negotiations.get((hearing_id, participant_id))
        if negotiation is None or negotiation.answered.is_set():
            raise Conflict(
                "there is no offer waiting for your answer", reason=Reason.NO_OFFER_WAITING
            )
        await self.node.subscriber_answer(
            hearing_id, participant_id, _description(answer, "answer")
        )
        negotiation.answered.set()

    def renegotiate(self, hearing_id: str, participant_id: str) -> None:
        """The tracks this participant should receive changed: (re)start negotiating."""
        key = (hearing_id, participant_id)
        negotiation = self._negotiations.setdefault(key, _Negotiation())
        negotiation.wanted.set()
        if negotiation.task is None or negotiation.task.done():
            negotiation.task = self._tasks.spawn(
                self._negotiate(key, negotiation), name=f"negotiate {hearing_id}/{participant_id}"
            )

    async def leave(self, hearing_id: str, participant_id: str) -> None:
        """Close the participant's media, if they have any (idempotent)."""
        self._rights.pop((hearing_id, participant_id), None)
        negotiation = self._negotiations.pop((hearing_id, participant_id), None)
        if negotiation is not None and negotiation.task is not None:
            negotiation.task.cancel()
            await asyncio.gather(negotiation.task, return_exceptions=True)
        with suppress(NotFound):
            await self.node.leave(hearing_id, participant_id)

    def ice_servers(self, participant_id: str) -> list[dict[str, Any]]:
        return [server.as_json() for server in self.node.ice_servers_for(participant_id)]

    async def close(self) -> None:
        await self._tasks.cancel_and_wait()
        self._negotiations.clear()
        self._rights.clear()

    async def _negotiate(self, key: tuple[str, str], negotiation: _Negotiation) -> None:
        hearing_id, participant_id = key
        while negotiation.wanted.is_set():
            negotiation.wanted.clear()
            try:
                offer = await self.node.subscriber_offer(hearing_id, participant_id)
            except NotFound:
                return  # the participant's media is gone (left, sent to the lobby)
            if offer is None:
                continue
            negotiation.answered.clear()
            payload = {"type": offer.description.type, "sdp": offer.description.sdp,
                       "tracks": {mid: {"participant_id": t.participant_id, "kind": t.kind}
                                  for mid, t in offer.tracks.items()}}  # fmt: skip
            if not await self._send(hearing_id, participant_id, payload):
                return
            try:
                await asyncio.wait_for(negotiation.answered.wait(), ANSWER_TIMEOUT)
            except TimeoutError:
                log.warning("%s/%s did not answer an offer in time", hearing_id, participant_id)
                negotiation.answered.set()
                negotiation.wanted.set()


def _description(value: Any, expected: Literal["offer", "answer"]) -> SessionDescription:
    if not isinstance(value, dict) or not isinstance(value.get("sdp"), str):
        raise InvalidInput(
            f"send the SDP {expected} as {{type: '{expected}', sdp: '...'}}",
            reason=Reason.INVALID_SDP,
        )
    if value.get("type") != expected:
        raise InvalidInput(
            f"expected an SDP {expected}, got {value.get('type')!r}", reason=Reason.INVALID_SDP
        )
    return SessionDescription(value["sdp"], expected)
