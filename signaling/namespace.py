"""The Socket.IO namespace `/hearing`: connections, the lobby, the judge's controls, media.

Every connection authenticates with its join token. Each event is checked against the
permission table (through `hearing.session.decide` for the controls); a refusal is
answered with an `error` event (and the same error in the ack), changes nothing, and
is written to the hearing's audit log. After every change the media node is told what
to forward for each participant (`hearing.session.media_rights`), so mutes, the lobby,
sequestered witnesses and caucuses are enforced by the node, not by the browsers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import socketio

from hearing.errors import Conflict, HearingError, InvalidInput, NotPermitted, Reason
from hearing.lifecycle import HearingState, LifecycleAction
from hearing.model import Hearing
from hearing.permissions import Action, authorize
from hearing.roles import Role
from hearing.rooms import Presence, Roster, RosterEntry
from hearing.session import (
    NO_MEDIA,
    Command,
    Control,
    Decision,
    Situation,
    decide,
    entry_presence,
    media_rights,
)
from hearing.tasks import TaskSet
from transcription.pipeline import Final, TranscriptEvent

from .events import ErrorMessage, RosterMessage, SessionEnded, StateMessage, Welcome
from .hearings import Caller, HearingService
from .media_bridge import MediaBridge
from .sequencer import Sequencer

__all__ = ["NAMESPACE", "HearingNamespace", "desk_room", "room_of"]

log = logging.getLogger(__name__)

NAMESPACE = "/hearing"


def room_of(hearing_id: str) -> str:
    return f"hearing:{hearing_id}"


def desk_room(hearing_id: str) -> str:
    """The clerks' desks following the hearing's transcript."""
    return f"desk:{hearing_id}"


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

    def __init__(self, service: HearingService, node: str, *, grace_seconds: float) -> None:
        super().__init__(NAMESPACE)
        self.service = service
        self.node = node
        self.grace_seconds = grace_seconds
        self.sequencer = Sequencer()
        self.lifecycle_listeners: list[LifecycleListener] = []
        self.open_checks: list[Callable[[Hearing], Awaitable[None]]] = []
        """Run before a hearing opens; any may refuse with a HearingError (e.g. no model)."""
        self.media: MediaBridge | None = None
        self._connections: dict[str, _Connection] = {}
        self._desks: dict[str, tuple[str, str]] = {}
        """A clerk's desk connection (sid) -> (hearing id, participant id)."""
        self._timers = TaskSet("signaling")

    async def close(self) -> None:
        await self._timers.cancel_and_wait()

    def tell_officers_soon(self, hearing_id: str, event: str, payload: dict[str, Any]) -> None:
        """Send `event` to the judge, mediator and clerk of the hearing (from sync code)."""
        self._timers.spawn(self._tell_officers(hearing_id, event, payload))

    async def _tell_officers(self, hearing_id: str, event: str, payload: dict[str, Any]) -> None:
        for sid in await self.officer_sids(hearing_id):
            await self.emit(event, payload, to=sid)

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
            raise _refusal(ErrorMessage.of(e)) from None
        if isinstance(auth, dict) and auth.get("desk") is True:
            await self._connect_desk(sid, caller)
            return
        hearing, participant = caller.hearing, caller.participant
        async with self.sequencer.turn(hearing.id):
            try:
                _check_joinable(await self.service.live_state(hearing))
                authorize(participant.role, Action.JOIN, public=hearing.public)
            except HearingError as e:
                code = "hearing_closed" if isinstance(e, Conflict) else e.code
                await self.service.refused(hearing.id, participant.id, "connect", e)
                raise _refusal(ErrorMessage.of(e, code=code)) from None
            conn = _Connection(
                hearing.id, participant.id, participant.display_name, participant.role
            )
            previous = await self.service.rooms.locate(hearing.id, participant.id)
            now = time.time()
            if previous is not None and (
                previous.online or now - (previous.dropped_at or now) <= self.grace_seconds
            ):
                # Back within the grace period, or a second window taking over: the
                # participant keeps their place (no new admission).
                entry = previous.but(sid=sid, node=self.node, dropped_at=None)
                action = "reconnected" if not previous.online else "connected"
            else:
                entry = RosterEntry(
                    participant_id=participant.id,
                    display_name=participant.display_name,
                    role=participant.role,
                    presence=Presence.CONNECTED,
                    sid=sid,
                    node=self.node,
                )
                action = "connected"
            self._connections[sid] = conn
            await self.enter_room(sid, room_of(hearing.id))
            roster, replaced = await self.service.rooms.put(hearing.id, entry)
            if replaced is not None and replaced.online and replaced.sid != sid:
                await self._end(replaced.sid, "replaced", "you joined from another window")
            await self.service.record(hearing.id, participant.id, action)
            await self._broadcast(hearing.id, roster, skip_sid=sid)
            await self._sync_media(hearing.id)

    async def _connect_desk(self, sid: str, caller: Caller) -> None:
        """A clerk's desk: it follows the transcript (captions, corrections) and the
        hearing's state, during the hearing and after it, without taking the officer's
        place in the roster (their console keeps its connection) and sending nothing."""
        hearing, participant = caller.hearing, caller.participant
        try:
            authorize(participant.role, Action.DOWNLOAD_RECORD)
        except HearingError as e:
            await self.service.refused(hearing.id, participant.id, "desk", e)
            raise _refusal(ErrorMessage.of(e)) from None
        await self.enter_room(sid, desk_room(hearing.id))
        self._desks[sid] = (hearing.id, participant.id)
        state = _state(hearing, await self.service.live_state(hearing))
        await self.emit("hearing_state", state.payload(), to=sid)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self._desks.pop(sid, None)
        conn = self._connections.pop(sid, None)
        if conn is None:
            return
        async with self.sequencer.turn(conn.hearing_id):
            entry = await self.service.rooms.locate(conn.hearing_id, conn.participant_id)
            if entry is None or entry.sid != sid:
                return
            if entry.presence is Presence.CONNECTED:
                roster = await self.service.rooms.remove(conn.hearing_id, entry.participant_id, sid)
                action = "disconnected"
            else:
                # Keep the place for the grace period: a dropped network is not leaving.
                dropped = entry.but(dropped_at=time.time())
                roster, _ = await self.service.rooms.put(conn.hearing_id, dropped)
                self._timers.spawn(self._expire(conn.hearing_id, dropped))
                action = "connection_lost"
            await self.service.record(
                conn.hearing_id, conn.participant_id, action, {"reason": str(reason)}
            )
            if roster is not None:
                await self._broadcast(conn.hearing_id, roster)
            await self._sync_media(conn.hearing_id)

    async def _expire(self, hearing_id: str, dropped: RosterEntry) -> None:
        await asyncio.sleep(self.grace_seconds)
        async with self.sequencer.turn(hearing_id):
            entry = await self.service.rooms.locate(hearing_id, dropped.participant_id)
            if entry is None or entry.dropped_at != dropped.dropped_at:
                return  # back in time, or already gone
            roster = await self.service.rooms.remove(hearing_id, entry.participant_id, entry.sid)
            await self.service.record(
                hearing_id,
                entry.participant_id,
                "place_lost",
                {"after_seconds": self.grace_seconds, "was": entry.presence.value},
            )
            if roster is not None:
                await self._broadcast(hearing_id, roster)

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
                action, target = _audit_name(event, data)
                await self.service.refused(
                    conn.hearing_id, conn.participant_id, action, e, target=target
                )
                return await self._refuse(sid, event, ErrorMessage.of(e))

    async def event_hello(self, sid: str, conn: _Connection, data: Any = None) -> dict[str, Any]:
        roster = await self._roster_message(conn.hearing_id)
        clock = (await self.service.get(conn.hearing_id)).clock
        welcome = Welcome(
            clock=round(clock.at(time.time()), 3),
            clock_running=clock.running,
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
        """Press Join: into the lobby, or straight into the hearing (officers, no-lobby)."""
        hearing = await self.service.get(conn.hearing_id)
        _check_joinable(await self.service.live_state(hearing))
        current = await self._own_entry(sid, conn)
        if current.presence is not Presence.CONNECTED:
            # Already waiting or admitted (e.g. back after a dropped connection).
            return {"ok": True, "roster": (await self._roster_message(hearing.id)).payload()}
        controls = await self.service.rooms.controls(hearing.id)
        public = hearing.public and controls.public_viewing
        authorize(conn.role, Action.JOIN, public=public)
        presence = entry_presence(hearing, controls, conn.role)
        roster, _ = await self.service.rooms.put(hearing.id, current.moved(presence))
        action = "admitted" if presence is Presence.ADMITTED else "entered_lobby"
        await self.service.record(hearing.id, conn.participant_id, action)
        message = await self._broadcast(hearing.id, roster)
        await self._sync_media(hearing.id)
        return {"ok": True, "roster": message.payload()}

    async def event_control(self, sid: str, conn: _Connection, data: Any = None) -> dict[str, Any]:
        """A judge's, clerk's or participant's control (admit, mute, raise_hand...)."""
        command = _command(conn.participant_id, data)
        await self._own_entry(sid, conn)
        situation = await self._situation(conn.hearing_id)
        decision = decide(situation, command, time.time())
        await self._apply(conn.hearing_id, decision, actor=conn.participant_id)
        details = {**decision.details}
        if command.kind is not None:
            details["kind"] = command.kind
        await self.service.record(
            conn.hearing_id, conn.participant_id, command.control.value, details,
            target=command.target,
        )  # fmt: skip
        return {"ok": True}

    async def event_lifecycle(
        self, sid: str, conn: _Connection, data: Any = None
    ) -> dict[str, Any]:
        """The judge opens, starts, recesses, resumes or adjourns the hearing."""
        raw = data.get("action") if isinstance(data, dict) else None
        choices = [a.value for a in LifecycleAction if a is not LifecycleAction.CANCEL]
        if not isinstance(raw, str) or raw not in [a.value for a in LifecycleAction]:
            raise InvalidInput(
                f"send {{action: one of {', '.join(choices)}}}",
                details={"field": "action"},
                reason=Reason.INVALID_REQUEST,
            )
        action = LifecycleAction(raw)
        if action is LifecycleAction.CANCEL:
            raise NotPermitted(
                "hearings are cancelled by the court system, not in the hearing",
                reason=Reason.CANCEL_BY_COURT_SYSTEM,
            )
        hearing = await self.service.get(conn.hearing_id)
        authorize(conn.role, Action(action.value), public=hearing.public)
        if action is LifecycleAction.OPEN:
            for check in self.open_checks:
                await check(hearing)
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
        hearing = await self.service.get(conn.hearing_id)
        entry = await self._own_entry(sid, conn)
        if entry.presence is Presence.ADMITTED:  # the lobby's preview is `media_rights`' call
            authorize(conn.role, Action.PUBLISH, public=hearing.public, called=entry.called)
        media = await self._media_for(sid, conn)
        answer = await media.publish(conn.hearing_id, conn.participant_id, data)
        action = "lobby_preview" if entry.presence is Presence.LOBBY else "publishing"
        await self.service.record(conn.hearing_id, conn.participant_id, action)
        return {"ok": True, "answer": answer}

    async def event_subscribe_answer(
        self, sid: str, conn: _Connection, data: Any = None
    ) -> dict[str, Any]:
        """The participant's answer to the node's last `subscribe_offer`."""
        media = await self._media_for(sid, conn)
        await media.answer(conn.hearing_id, conn.participant_id, data)
        return {"ok": True}

    async def event_leave(self, sid: str, conn: _Connection, data: Any = None) -> dict[str, Any]:
        # The client closes the connection once it has the ack; until then it is no
        # longer in the hearing and hears nothing of it.
        self._connections.pop(sid, None)
        await self.leave_room(sid, room_of(conn.hearing_id))
        roster = await self.service.rooms.remove(conn.hearing_id, conn.participant_id, sid)
        await self.service.record(conn.hearing_id, conn.participant_id, "left")
        if roster is not None:
            await self._broadcast(conn.hearing_id, roster)
        await self._sync_media(conn.hearing_id)
        return {"ok": True}

    # -- used by the REST API -----------------------------------------------------

    async def end_participant(
        self, hearing_id: str, participant_id: str, code: str, message: str
    ) -> bool:
        """Close the participant's live connection, wherever it is, and their desks; False
        if they had no connection in the hearing."""
        desks = [sid for sid, who in self._desks.items() if who == (hearing_id, participant_id)]
        for sid in desks:
            del self._desks[sid]
            await self._end(sid, code, message)
        async with self.sequencer.turn(hearing_id):
            entry = await self.service.rooms.locate(hearing_id, participant_id)
            if entry is None:
                return bool(desks)
            await self._end(entry.sid, code, message)
            roster = await self.service.rooms.remove(hearing_id, participant_id, entry.sid)
            if roster is not None:
                await self._broadcast(hearing_id, roster)
            await self._sync_media(hearing_id)
            return True

    async def end_hearing(self, hearing_id: str, code: str, message: str) -> None:
        """Tell everyone connected that the hearing changed state, then close their connections."""
        async with self.sequencer.turn(hearing_id):
            await self._end_all(await self.service.get(hearing_id), code, message)

    async def send_caption(self, hearing_id: str, event: TranscriptEvent) -> None:
        """A live caption or final segment, to everyone who hears the hearing.

        Not to those in the lobby or to a witness who has not been called: captions
        follow the same rule as the media (`media_rights`).
        """
        try:
            payload = _caption(event)
            situation = await self._situation(hearing_id)
            for pid, entry in situation.roster.items():
                if entry.online and media_rights(situation, pid).receives:
                    await self.emit("caption", payload, to=entry.sid)
            await self.emit("caption", payload, room=desk_room(hearing_id))
        except Exception:  # a failed broadcast must not stop the transcription
            log.exception("captions of %s could not be sent", hearing_id)

    async def send_correction(self, hearing_id: str, correction: dict[str, Any]) -> None:
        """A transcript correction, to the desks following the hearing."""
        await self.emit("transcript_correction", correction, room=desk_room(hearing_id))

    async def send_confirmation(self, hearing_id: str, confirmation: dict[str, Any]) -> None:
        """A participant confirmed the transcript or objected to it, to the desks."""
        await self.emit("transcript_confirmation", confirmation, room=desk_room(hearing_id))

    async def officer_sids(self, hearing_id: str) -> list[str]:
        """The connections of the judge, mediator and clerk who are in the hearing now (an
        officer is admitted as soon as they press Join)."""
        roster = await self.service.rooms.roster(hearing_id)
        return [
            e.sid
            for e in roster.entries
            if e.online and e.role.officer and e.presence is Presence.ADMITTED
        ]

    def hearings_with_officers(self) -> set[str]:
        """Hearings where a judge, mediator or clerk is connected to this process."""
        return {c.hearing_id for c in self._connections.values() if c.role.officer}

    async def send_offer(self, hearing_id: str, participant_id: str, offer: dict[str, Any]) -> bool:
        """Send the media node's offer to the participant; False if they are not connected."""
        entry = await self.service.rooms.locate(hearing_id, participant_id)
        if entry is None or not entry.online:
            return False
        await self.emit("subscribe_offer", offer, to=entry.sid)
        return True

    # -- applying changes ---------------------------------------------------------

    async def _situation(self, hearing_id: str) -> Situation:
        hearing = await self.service.get(hearing_id)
        roster = await self.service.rooms.roster(hearing_id)
        return Situation(
            hearing=hearing,
            state=await self.service.live_state(hearing),
            controls=await self.service.rooms.controls(hearing_id),
            roster={e.participant_id: e for e in roster.entries},
        )

    async def _apply(self, hearing_id: str, decision: Decision, *, actor: str) -> None:
        rooms = self.service.rooms
        roster: Roster | None = None
        for entry in decision.entries:
            roster, _ = await rooms.put(hearing_id, entry)
        if decision.controls is not None:
            await rooms.set_controls(hearing_id, decision.controls)
        for notice in decision.notices:
            target = await rooms.locate(hearing_id, notice.participant_id)
            if target is not None and target.online:
                await self.emit(notice.event, dict(notice.payload), to=target.sid)
        for end in decision.ends:
            if end.revoke_links:
                await self.service.revoke_links(hearing_id, end.participant_id, actor=actor)
            ending = await rooms.locate(hearing_id, end.participant_id)
            if ending is not None:
                if ending.online:
                    await self._end(ending.sid, end.code, end.message)
                roster = await rooms.remove(hearing_id, end.participant_id, ending.sid)
        await self._broadcast(hearing_id, roster or await rooms.roster(hearing_id))
        await self._sync_media(hearing_id)

    async def _sync_media(self, hearing_id: str) -> None:
        if self.media is not None:
            await self.media.sync(await self._situation(hearing_id))

    async def _media_for(self, sid: str, conn: _Connection) -> MediaBridge:
        if self.media is None:
            raise Conflict("this server runs without a media node", reason=Reason.NO_MEDIA_NODE)
        await self._own_entry(sid, conn)
        if media_rights(await self._situation(conn.hearing_id), conn.participant_id) == NO_MEDIA:
            raise Conflict(
                "you have no media in this hearing now: you can send and receive media once "
                "you are admitted (or, waiting in the lobby, send your camera to the court)",
                reason=Reason.MEDIA_BEFORE_ADMISSION,
            )
        return self.media

    async def _own_entry(self, sid: str, conn: _Connection) -> RosterEntry:
        current = await self.service.rooms.locate(conn.hearing_id, conn.participant_id)
        if current is None or current.sid != sid:
            raise Conflict(
                "this connection is no longer in the hearing; reconnect to join again",
                reason=Reason.STALE_CONNECTION,
            )
        return current

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
                ended = SessionEnded(code=code, message=message).payload()
                await self.emit("session_ended", ended, to=entry.sid)
                await self.leave_room(entry.sid, room_of(hearing.id))
            elif entry.online:
                await self._end(entry.sid, code, message)
            await self.service.rooms.remove(hearing.id, entry.participant_id, entry.sid)
        await self._sync_media(hearing.id)

    async def _announce_state(self, hearing: Hearing) -> None:
        rooms = [room_of(hearing.id), desk_room(hearing.id)]
        await self.emit("hearing_state", _state(hearing).payload(), room=rooms)
        for listener in self.lifecycle_listeners:
            await listener(hearing)

    async def _end(self, sid: str, code: str, message: str) -> None:
        # Forget the connection first: server.disconnect() runs on_disconnect inline,
        # inside the turn we already hold.
        self._connections.pop(sid, None)
        await self.emit("session_ended", SessionEnded(code=code, message=message).payload(), to=sid)
        await self.server.disconnect(sid, namespace=NAMESPACE)

    async def _roster_message(self, hearing_id: str) -> RosterMessage:
        return await self._message(hearing_id, await self.service.rooms.roster(hearing_id))

    async def _message(self, hearing_id: str, roster: Roster) -> RosterMessage:
        hearing = await self.service.get(hearing_id)
        controls = await self.service.rooms.controls(hearing_id)
        return RosterMessage.of(roster, await self.service.live_state(hearing), controls)

    async def _broadcast(
        self, hearing_id: str, roster: Roster, *, skip_sid: str | None = None
    ) -> RosterMessage:
        message = await self._message(hearing_id, roster)
        await self.emit("roster", message.payload(), room=room_of(hearing_id), skip_sid=skip_sid)
        return message

    async def _refuse(self, sid: str, event: str, message: ErrorMessage) -> dict[str, Any]:
        error = message.model_copy(update={"event": event})
        await self.emit("error", error.payload(), to=sid)
        return {"ok": False, "error": error.payload()}


def _command(actor: str, data: Any) -> Command:
    if not isinstance(data, dict) or not isinstance(data.get("action"), str):
        raise _invalid("send {action, ...}: the control to apply", "action")
    try:
        control = Control(data["action"])
    except ValueError:
        choices = ", ".join(c.value for c in Control)
        raise _invalid(f"no control {data['action']!r}; one of {choices}", "action") from None
    target, kind, method = data.get("participant_id"), data.get("kind"), data.get("method")
    members, value = data.get("members", []), data.get("value")
    if target is not None and not isinstance(target, str):
        raise _invalid("participant_id must be a string", "participant_id")
    if kind is not None and kind not in ("audio", "video"):
        raise _invalid("kind must be 'audio' or 'video'", "kind")
    if method is not None and not isinstance(method, str):
        raise _invalid("method must be a string", "method")
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise _invalid("members must be a list of participant ids", "members")
    if value is not None and not isinstance(value, bool):
        raise _invalid("value must be true or false", "value")
    return Command(control, actor, target, kind, method, tuple(members), value)


def _invalid(message: str, field: str) -> InvalidInput:
    return InvalidInput(message, details={"field": field}, reason=Reason.INVALID_REQUEST)


def _audit_name(event: str, data: Any) -> tuple[str, str | None]:
    """What a refused event is called in the audit log, and whom it targeted."""
    if event in ("control", "lifecycle") and isinstance(data, dict):
        action, target = data.get("action"), data.get("participant_id")
        return (
            action if isinstance(action, str) and len(action) <= 40 else event,
            target if isinstance(target, str) and len(target) <= 64 else None,
        )
    return event, None


def _state(hearing: Hearing, state: HearingState | None = None) -> StateMessage:
    return StateMessage(
        hearing_id=hearing.id,
        state=state or hearing.state,
        clock=round(hearing.clock.at(time.time()), 3),
        clock_running=hearing.clock.running,
    )


def _caption(event: TranscriptEvent) -> dict[str, Any]:
    if isinstance(event, Final):
        segment = event.segment
        return {"participant_id": segment.participant_id, "speaker_name": segment.speaker,
                "role": segment.role.value, "text": segment.text, "final": True,
                "start": segment.start, "end": segment.end, "seq": event.seq}  # fmt: skip
    speaker = event.participant
    return {"participant_id": speaker.participant_id, "speaker_name": speaker.name,
            "role": speaker.role.value, "text": event.text, "final": False, "start": None,
            "end": event.at, "seq": None}  # fmt: skip


def _check_joinable(state: HearingState) -> None:
    if not state.joinable:
        raise Conflict(
            f"this hearing is {state.value}; it can no longer be joined",
            details={"state": state.value},
            reason=Reason.HEARING_CLOSED,
        )
