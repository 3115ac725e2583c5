"""One hearing on the media node: its participants, and who receives whose tracks."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection

from aiortc import RTCConfiguration

from hearing.errors import Conflict, NotFound, Reason

from .forwarder import Forwarder
from .publisher import Publisher
from .sdp import SessionDescription, read_publish_offer
from .stats import ParticipantMedia
from .subscriber import Subscriber, SubscriberOffer
from .tap import TapRegistry

__all__ = ["Room"]

log = logging.getLogger(__name__)


class _Member:
    def __init__(
        self, participant_id: str, subscriber: Subscriber, *, publishes: bool, receives: bool
    ) -> None:
        self.id = participant_id
        self.audio = self.video = publishes
        self.receives = receives
        self.group = ""
        """Media flows only between members of the same group (e.g. a caucus)."""
        self.recorded = True
        """Whether taps (recording, transcription) get this member's tracks."""
        self.audience: frozenset[str] = frozenset()
        """Members outside the group who get this member's tracks too (one way)."""
        self.publisher: Publisher | None = None
        self.subscriber = subscriber
        self.notified = False

    @property
    def publishes(self) -> bool:
        return self.audio or self.video

    def apply(self, forwarder: Forwarder) -> None:
        """Set a forwarder of this member's to what the member may publish."""
        forwarder.forwarding = self.audio if forwarder.kind == "audio" else self.video
        forwarder.recorded = self.recorded


class Room:
    """The media of one hearing: every participant receives every other's published tracks.

    Except: a participant who may not publish is forwarded to nobody, and one who may
    not receive gets nothing. Media flows within a member's group (the joint session, a
    caucus), and one way to the member's audience (officers seeing the lobby).
    ``notify(participant_id)`` is called when a participant's subscribe connection needs
    a new offer.
    """

    def __init__(
        self,
        hearing_id: str,
        *,
        configuration: RTCConfiguration,
        taps: TapRegistry,
        notify: Callable[[str], None],
    ) -> None:
        self.hearing_id = hearing_id
        self._configuration = configuration
        self._taps = taps
        self._notify = notify
        self._members: dict[str, _Member] = {}  # in order of joining: the display order
        self._closing = False

    def __len__(self) -> int:
        return len(self._members)

    def join(self, participant_id: str, *, publishes: bool, receives: bool) -> None:
        if participant_id in self._members:
            raise Conflict(
                f"participant {participant_id} already has media in hearing {self.hearing_id}"
            )
        subscriber = Subscriber(participant_id=participant_id, configuration=self._configuration)
        self._members[participant_id] = _Member(
            participant_id, subscriber, publishes=publishes, receives=receives
        )
        self._reconcile()

    async def publish(self, participant_id: str, offer: SessionDescription) -> SessionDescription:
        member = self._member(participant_id)
        if member.publisher is not None and member.publisher.live:
            raise Conflict(
                f"participant {participant_id} is already publishing; leave first to publish again",
                reason=Reason.ALREADY_PUBLISHING,
            )
        published = read_publish_offer(offer)  # refuses bad offers before creating anything
        previous, member.publisher = member.publisher, None
        if previous is not None:  # a dead connection (failed, closed): replaced
            await previous.close()
        publisher = Publisher(
            hearing_id=self.hearing_id,
            participant_id=participant_id,
            configuration=self._configuration,
            taps=self._taps,
            on_track_ended=self._track_ended,
        )
        if member.publisher is not None:  # another publish won the race during close()
            raise Conflict(
                f"participant {participant_id} is already publishing",
                reason=Reason.ALREADY_PUBLISHING,
            )
        member.publisher = publisher
        try:
            answer = await publisher.answer(offer, published, forwarding=member.publishes)
        except Exception as e:
            await self._discard(member, publisher)
            if self._members.get(participant_id) is not member or self._closing:
                raise self._unknown(participant_id) from e  # left while publishing
            raise
        except BaseException:
            await self._discard(member, publisher)
            raise
        if self._members.get(participant_id) is not member or self._closing:
            await self._discard(member, publisher)
            raise self._unknown(participant_id)
        for forwarder in publisher.forwarders.values():
            member.apply(forwarder)
        self._reconcile()
        return answer

    async def subscriber_offer(self, participant_id: str) -> SubscriberOffer | None:
        member = self._member(participant_id)
        member.notified = False
        return await member.subscriber.create_offer()

    async def subscriber_answer(self, participant_id: str, answer: SessionDescription) -> None:
        member = self._member(participant_id)
        await member.subscriber.accept_answer(answer)
        self._notify_if_needed(member)  # what changed while the offer was out

    def set_receives(self, participant_id: str, receives: bool) -> None:
        self._member(participant_id).receives = receives
        self._reconcile()

    def request_keyframe(self, participant_id: str) -> None:
        """Ask the participant's camera for a keyframe (e.g. a recorder opening a file)."""
        member = self._member(participant_id)
        if member.publisher is not None:
            for forwarder in member.publisher.forwarders.values():
                forwarder.request_keyframe()

    def set_publishes(self, participant_id: str, allowed: bool) -> None:
        member = self._member(participant_id)
        self.set_rights(
            participant_id,
            audio=allowed,
            video=allowed,
            receives=member.receives,
            group=member.group,
            recorded=member.recorded,
            audience=member.audience,
        )

    def set_rights(
        self,
        participant_id: str,
        *,
        audio: bool,
        video: bool,
        receives: bool,
        group: str,
        recorded: bool,
        audience: Collection[str] = (),
    ) -> None:
        member = self._member(participant_id)
        member.audio, member.video, member.receives = audio, video, receives
        member.group, member.recorded = group, recorded
        member.audience = frozenset(audience)
        if member.publisher is not None:
            for forwarder in member.publisher.forwarders.values():
                member.apply(forwarder)
        self._reconcile()

    async def leave(self, participant_id: str) -> None:
        member = self._members.pop(participant_id, None)
        if member is None:
            raise self._unknown(participant_id)
        self._reconcile()  # the others stop receiving this participant at once
        await member.subscriber.close()
        if member.publisher is not None:
            await member.publisher.close()

    async def close(self) -> None:
        self._closing = True
        members, self._members = list(self._members.values()), {}
        for member in members:
            await member.subscriber.close()
        for member in members:
            if member.publisher is not None:
                await member.publisher.close()

    def state(self) -> dict[str, ParticipantMedia]:
        now = time.time()
        result = {}
        for member in self._members.values():
            publisher = member.publisher
            forwarders = list(publisher.forwarders.values()) if publisher else []
            live = [f for f in forwarders if not f.ended]
            result[member.id] = ParticipantMedia(
                participant_id=member.id,
                publishing=member.publishes and bool(live),
                receiving=member.receives and member.subscriber.connection_state == "connected",
                publish_connection=publisher.connection_state if publisher else "none",
                subscribe_connection=member.subscriber.connection_state,
                tracks=tuple(f.media(now) for f in forwarders),
                receiving_from=member.subscriber.receiving_from,
                forwarded_frames=member.subscriber.frames_sent,
                dropped_frames=member.subscriber.frames_dropped,
            )
        return result

    async def _discard(self, member: _Member, publisher: Publisher) -> None:
        if member.publisher is publisher:
            member.publisher = None
        await publisher.close()

    def _member(self, participant_id: str) -> _Member:
        member = self._members.get(participant_id)
        if member is None:
            raise self._unknown(participant_id)
        return member

    def _unknown(self, participant_id: str) -> NotFound:
        return NotFound(
            f"participant {participant_id} has not joined the media of hearing {self.hearing_id}"
        )

    def _track_ended(self, forwarder: Forwarder) -> None:
        if not self._closing:
            self._reconcile()

    def _reconcile(self) -> None:
        """Bring every subscriber in line with who publishes and who receives."""
        # A member muted in one kind stays a source (its forwarder just sends nothing), so
        # muting and unmuting need no renegotiation; one who publishes nothing is none.
        sources = [
            (member, forwarder)
            for member in self._members.values()
            if member.publishes and member.publisher is not None
            for forwarder in member.publisher.forwarders.values()
            if not forwarder.ended
        ]
        for member in self._members.values():
            others = [
                f
                for m, f in sources
                if m is not member and (m.group == member.group or member.id in m.audience)
            ]
            member.subscriber.want(others if member.receives else [])
            self._notify_if_needed(member)

    def _notify_if_needed(self, member: _Member) -> None:
        subscriber = member.subscriber
        if member.notified or subscriber.pending or not subscriber.needs_offer:
            return
        member.notified = True
        try:
            self._notify(member.id)
        except Exception:
            log.exception("renegotiation notice for %s/%s failed", self.hearing_id, member.id)
