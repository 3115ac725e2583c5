"""The Socket.IO namespace `/hearing`: authenticated connections, the roster, leaving.

Every connection authenticates with its join token. Each event is checked against the
permission table; a refusal is answered with an `error` event (and the same error in
the ack), changes nothing, and is written to the hearing's audit log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import socketio

from hearing.errors import Conflict, HearingError, InvalidInput, NotPermitted
from hearing.lifecycle import HearingState, LifecycleAction
from hearing.model import Hearing
from hearing.permissions import Action, authorize
from hearing.roles import Role
from hearing.rooms import Presence, Roster, RosterEntry

from .events import ErrorMessage, RosterMessage, SessionEnded, StateMessage, Welcome
from .hearings import HearingService
from .media_bridge import MediaBridge
from .sequencer import Sequencer
from .tokens import InvalidToken

__all__ = ["NAMESPACE", "HearingNamespace", "room_of"]

log = logging.getLogger(__name__)

NAMESPACE = "/hearing"


def room_of(hearing_id: str) -> str:
    return f"hearing:{hearing_id}"


def _allowed(role: Role, action: Action, public: bool) -> bool:
    try:
        authorize(role, action, public=public)
    except NotPermitted:
        return False
    return True


def _refusal(error: ErrorMessage) -> socketio.exceptions.ConnectionRefusedError:
    """The client's `connect_error` gets `{message, data: {code, message, details}}`."""
    return socketio.exceptions.ConnectionRefusedError(error.message, error.payload())


@dataclass(frozen=True, slots=True)
class _Connection:
    hearing_id: str
    participant_id: str
    display_name: str
    role: Role


Handler = Callable[[str, _Connection, Any], Awaitable[dict[str, Any]]]
"""An event handler: `event_<name>(sid, connection, data)`, returning the ack."""

LifecycleListener = Callable[[Hearing], Awaitable[None]]
"""Told of every lifecycle change (recording and transcription follow the hearing)."""


class HearingNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    """Socket.IO handlers for participants of hearings."""

    def __init__(self, service: HearingService, node: str) -> None:
        super().__init__(NAMESPACE)
        self.service = service
        self.node = node
        self.sequencer = Sequencer()
        self.lifecycle_listeners: list[LifecycleListener] = []
        self.media: MediaBridge | None = None
        self._connections: dict[str, _Connection] = {}

    # -- connection ---------------------------------------------------------------

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not token:
            raise _refusal(
                ErrorMessage(
                    code="missing_token",
                    message="connect with your join link: auth {token} is missing",
                )
            )
        try:
            caller = await self.service.authenticate(token, purpose="connect")
        except HearingError as e:
            raise _refusal(ErrorMessage(code=e.code, message=e.message)) from None
        hearing, participant = caller.hearing, caller.participant
        async with self.sequencer.turn(hearing.id):
            try:
                state = await self.service.live_state(hearing)
                if not state.joinable:
                    raise Conflict(
                        f"this hearing is {state.value}; it can no longer be joined",
                        details={"state": state.value},
                    )
                authorize(participant.role, Action.JOIN, public=hearing.public)
            except HearingError as e:
                code = "hearing_closed" if isinstance(e, Conflict) else e.code
                await self.service.refused(hearing.id, participant.id, "connect", e)
                raise _refusal(
                    ErrorMessage(code=code, message=e.message, details=e.details)
                ) from None
            conn = _Connection(
                hearing.id, participant.id, participant.display_name, participant.role
            )
            self._connections[sid] = conn
            await self.enter_room(sid, room_of(hearing.id))
            entry = RosterEntry(
                participant_id=participant.id,
                display_name=participant.display_name,
                role=participant.role,
                presence=Presence.CONNECTED,
                sid=sid,
                node=self.node,
            )
            roster, previous = await self.service.rooms.put(hearing.id, entry)
            if previous is not None and previous.sid != sid:
                await self._end(
                    previous.sid, "replaced", "you joined from another window or device"
                )
            await self.service.record(hearing.id, participant.id, "connected")
            await self._broadcast(hearing.id, roster, skip_sid=sid)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        conn = self._connections.pop(sid, None)
        if conn is None:
            return
        async with self.sequencer.turn(conn.hearing_id):
            roster = await self.service.rooms.remove(conn.hearing_id, conn.participant_id, sid)
            if roster is not None:
                await self._media_leave(conn.hearing_id, conn.participant_id)
                await self.service.record(
                    conn.hearing_id, conn.participant_id, "disconnected", {"reason": str(reason)}
                )
                await self._broadcast(conn.hearing_id, roster)

    # -- events -----------------------------------------------------------------

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event in ("connect", "disconnect"):
            return await super().trigger_event(event, *args)
        sid = args[0]
        handler: Handler | None = getattr(self, f"event_{event}", None)
        data = args[1] if len(args) > 1 else None
        conn = self._connections.get(sid)
        if conn is None:
            return None
        if handler is None:
            return await self._refuse(
                sid, event, ErrorMessage(code="unknown_event", message=f"no event {event!r}")
            )
        async with self.sequencer.turn(conn.hearing_id):
            try:
                return await handler(sid, conn, data)
            except HearingError as e:
                await self.service.refused(conn.hearing_id, conn.participant_id, event, e)
                message = ErrorMessage(code=e.code, message=e.message, details=e.details)
                return await self._refuse(sid, event, message)

    async def event_hello(self, sid: str, conn: _Connection, data: Any = None) -> dict[str, Any]:
        roster = await self._roster_message(conn.hearing_id)
        welcome = Welcome(
            participant_id=conn.participant_id,
            display_name=conn.display_name,
            role=conn.role,
            roster=roster,
            ice_servers=self.media.ice_servers(conn.participant_id) if self.media else [],
        )
        return {"ok": True, **welcome.payload()}

    async def event_roster(self, sid: str, conn: _Connection, data: Any = None) -> dict[str, Any]:
        return {"ok": True, "roster": (await self._roster_message(conn.hearing_id)).payload()}

    async def event_join(self, sid: str, conn: _Connection, data: Any = None) -> dict[str, Any]:
        hearing = await self.service.get(conn.hearing_id)
        state = await self.service.live_state(hearing)
        if not state.joinable:
            raise Conflict(f"this hearing is {state.value}; it can no longer be joined")
        authorize(conn.role, Action.JOIN, public=hearing.public)
        current = await self.service.rooms.locate(conn.hearing_id, conn.participant_id)
        if current is None or current.sid != sid:
            raise InvalidToken("this connection has been replaced by a newer one")
        if current.presence is Presence.JOINED:
            raise Conflict("you have already joined this hearing")
        roster, _ = await self.service.rooms.put(conn.hearing_id, current.moved(Presence.JOINED))
        await self.service.record(conn.hearing_id, conn.participant_id, "joined")
        if self.media is not None:
            self.media.join(
                conn.hearing_id,
                conn.participant_id,
                publishes=_allowed(conn.role, Action.PUBLISH, hearing.public),
                receives=_allowed(conn.role, Action.SUBSCRIBE, hearing.public),
            )
        message = await self._broadcast(conn.hearing_id, roster)
        return {"ok": True, "roster": message.payload()}

    async def event_lifecycle(
        self, sid: str, conn: _Connection, data: Any = None
    ) -> dict[str, Any]:
        """The judge opens, starts, recesses, resumes or adjourns the hearing."""
        raw = data.get("action") if isinstance(data, dict) else None
        choices = [a.value for a in LifecycleAction if a is not LifecycleAction.CANCEL]
        if not isinstance(raw, str) or raw not in [a.value for a in LifecycleAction]:
            raise InvalidInput(f"send {{action: one of {', '.join(choices)}}}")
        action = LifecycleAction(raw)
        if action is LifecycleAction.CANCEL:
            raise NotPermitted("hearings are cancelled by the court system, not in the hearing")
        hearing = await self.service.get(conn.hearing_id)
        authorize(conn.role, Action(action.value), public=hearing.public)
        hearing = await self.service.transition(
            conn.hearing_id, action, actor=conn.participant_id, details={}
        )
        if hearing.state is HearingState.ADJOURNED:
            await self._end_all(
                hearing, "hearing_adjourned", "the hearing is adjourned", caller=sid
            )
        else:
            await self._announce_state(hearing)
        return {"ok": True, "state": hearing.state.value}

    async def event_publish(self, sid: str, conn: _Connection, data: Any = None) -> dict[str, Any]:
        """The participant offers their camera and microphone; the ack carries the answer."""
        media = await self._media_for(sid, conn)
        hearing = await self.service.get(conn.hearing_id)
        authorize(conn.role, Action.PUBLISH, public=hearing.public)
        answer = await media.publish(conn.hearing_id, conn.participant_id, data)
        await self.service.record(conn.hearing_id, conn.participant_id, "publishing")
        return {"ok": True, "answer": answer}

    async def event_subscribe_answer(
        self, sid: str, conn: _Connection, data: Any = None
    ) -> dict[str, Any]:
        """The participant's answer to the node's last `subscribe_offer`."""
        media = await self._media_for(sid, conn)
        await media.answer(conn.hearing_id, conn.participant_id, data)
        return {"ok": True}

    async def _media_for(self, sid: str, conn: _Connection) -> MediaBridge:
        if self.media is None:
            raise Conflict("this server runs without a media node")
        current = await self.service.rooms.locate(conn.hearing_id, conn.participant_id)
        if current is None or current.sid != sid or current.presence is not Presence.JOINED:
            raise Conflict("join the hearing before sending or receiving media")
        return self.media

    async def send_offer(self, hearing_id: str, participant_id: str, offer: dict[str, Any]) -> bool:
        """Send the media node's offer to the participant; False if they are not connected."""
        entry = await self.service.rooms.locate(hearing_id, participant_id)
        if entry is None:
            return False
        await self.emit("subscribe_offer", offer, to=entry.sid)
        return True

    async def event_leave(self, sid: str, conn: _Connection, data: Any = None) -> dict[str, Any]:
        # The client closes the connection once it has the ack; until then it is no
        # longer in the hearing and hears nothing of it.
        self._connections.pop(sid, None)
        await self.leave_room(sid, room_of(conn.hearing_id))
        await self._media_leave(conn.hearing_id, conn.participant_id)
        roster = await self.service.rooms.remove(conn.hearing_id, conn.participant_id, sid)
        await self.service.record(conn.hearing_id, conn.participant_id, "left")
        if roster is not None:
            await self._broadcast(conn.hearing_id, roster)
        return {"ok": True}

    # -- used by the REST API -----------------------------------------------------

    async def end_participant(
        self, hearing_id: str, participant_id: str, code: str, message: str
    ) -> bool:
        """Close the participant's live connection, wherever it is; False if not connected."""
        async with self.sequencer.turn(hearing_id):
            entry = await self.service.rooms.locate(hearing_id, participant_id)
            if entry is None:
                return False
            await self._end(entry.sid, code, message)
            roster = await self.service.rooms.remove(hearing_id, participant_id, entry.sid)
            if roster is not None:
                await self._broadcast(hearing_id, roster)
            return True

    async def end_hearing(self, hearing_id: str, code: str, message: str) -> None:
        """Tell everyone connected that the hearing changed state, then close their connections."""
        async with self.sequencer.turn(hearing_id):
            await self._end_all(await self.service.get(hearing_id), code, message)

    async def _end_all(
        self, hearing: Hearing, code: str, message: str, *, caller: str | None = None
    ) -> None:
        """End every session of the hearing; the `caller`'s connection stays open for its ack
        (its page closes it on `session_ended`)."""
        await self._announce_state(hearing)
        roster = await self.service.rooms.roster(hearing.id)
        for entry in roster.entries:
            if entry.sid == caller:
                self._connections.pop(entry.sid, None)
                await self._media_leave(hearing.id, entry.participant_id)
                ended = SessionEnded(code=code, message=message).payload()
                await self.emit("session_ended", ended, to=entry.sid)
                await self.leave_room(entry.sid, room_of(hearing.id))
            else:
                await self._end(entry.sid, code, message)
            await self.service.rooms.remove(hearing.id, entry.participant_id, entry.sid)

    async def _announce_state(self, hearing: Hearing) -> None:
        now = time.time()
        state = StateMessage(
            hearing_id=hearing.id,
            state=hearing.state,
            clock=round(hearing.clock.at(now), 3),
            clock_running=hearing.clock.running,
        )
        await self.emit("hearing_state", state.payload(), room=room_of(hearing.id))
        for listener in self.lifecycle_listeners:
            await listener(hearing)

    # -- helpers ------------------------------------------------------------------

    async def _media_leave(self, hearing_id: str, participant_id: str) -> None:
        if self.media is not None:
            await self.media.leave(hearing_id, participant_id)

    async def _end(self, sid: str, code: str, message: str) -> None:
        # Forget the connection first: server.disconnect() runs on_disconnect inline,
        # inside the turn we already hold.
        conn = self._connections.pop(sid, None)
        if conn is not None:
            await self._media_leave(conn.hearing_id, conn.participant_id)
        await self.emit("session_ended", SessionEnded(code=code, message=message).payload(), to=sid)
        await self.server.disconnect(sid, namespace=NAMESPACE)

    async def _roster_message(self, hearing_id: str) -> RosterMessage:
        hearing = await self.service.get(hearing_id)
        roster = await self.service.rooms.roster(hearing_id)
        return RosterMessage.of(roster, await self.service.live_state(hearing))

    async def _broadcast(
        self, hearing_id: str, roster: Roster, *, skip_sid: str | None = None
    ) -> RosterMessage:
        hearing = await self.service.get(hearing_id)
        message = RosterMessage.of(roster, await self.service.live_state(hearing))
        await self.emit("roster", message.payload(), room=room_of(hearing_id), skip_sid=skip_sid)
        return message

    async def _refuse(self, sid: str, event: str, message: ErrorMessage) -> dict[str, Any]:
        error = message.model_copy(update={"event": event})
        await self.emit("error", error.payload(), to=sid)
        return {"ok": False, "error": error.payload()}
