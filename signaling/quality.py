"""Connection quality of each participant, judged from the media node's figures and pushed
to the judge, mediator and clerk as event `media_quality`.

Every few seconds, for the hearings with an officer connected to this process, the node's
per-participant figures are compared with the previous reading: packets lost on the way
in (as the node's RTCP receiver reports count them), media that stopped arriving, frames
the node could not send on (a receiver falling behind), and the state of the two
connections. The node has no round-trip times to offer, so they play no part. An officer
is sent the verdicts when they change, and once on arrival: nothing is sent while all is
steady.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hearing.errors import NotFound
from hearing.tasks import TaskSet
from media import MediaNode, ParticipantMedia

from .namespace import HearingNamespace

__all__ = ["ConnectionQuality", "Issue", "Quality", "QualityWatch", "assess"]

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 2.0
FAIR_LOSS, POOR_LOSS = 0.03, 0.10
"""Share of packets lost over an interval: about 3% is heard and seen, 10% breaks speech up."""
FAIR_DROPS, POOR_DROPS = 0.25, 0.5
"""Share of frames the node could not send on to the participant."""
MIN_FRAMES = 30
"""Fewer frames than this in an interval say too little about drops."""
STALL_SECONDS = 3.0
"""No media at all from a connected publisher for this long: their network is failing."""

_BROKEN = ("failed", "disconnected")
_UNSETTLED = ("new", "connecting", "checking")


class Quality(StrEnum):
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


class Issue(StrEnum):
    """What made a connection less than good."""

    CONNECTION = "connection"  # a connection with the node failed or dropped
    STALLED = "stalled"  # nothing arrives from a connected publisher
    LOSS = "loss"  # packets lost on the way to the node
    FALLING_BEHIND = "falling_behind"  # the participant does not take what is sent


@dataclass(frozen=True, slots=True)
class ConnectionQuality:
    participant_id: str
    quality: Quality
    issue: Issue | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "participant_id": self.participant_id,
            "quality": self.quality.value,
            "issue": self.issue.value if self.issue else None,
        }


def assess(
    before: ParticipantMedia | None, now_media: ParticipantMedia, now: float
) -> ConnectionQuality | None:
    """The quality of one participant's connection, or None while there is nothing to judge
    (no media, or connections still being set up)."""
    pid = now_media.participant_id
    states = (now_media.publish_connection, now_media.subscribe_connection)
    if any(s in _BROKEN for s in states):
        return ConnectionQuality(pid, Quality.POOR, Issue.CONNECTION)
    if not any(s == "connected" for s in states) or any(s in _UNSETTLED for s in states):
        return None
    verdicts = [ConnectionQuality(pid, Quality.GOOD)]
    if now_media.publish_connection == "connected" and now_media.tracks:
        arrivals = [t.last_packet_at for t in now_media.tracks if t.last_packet_at is not None]
        if arrivals and now - max(arrivals) > STALL_SECONDS:
            verdicts.append(ConnectionQuality(pid, Quality.POOR, Issue.STALLED))
        loss = _loss(before, now_media)
        if loss is not None:
            verdicts.append(_graded(pid, loss, FAIR_LOSS, POOR_LOSS, Issue.LOSS))
    drops = _drops(before, now_media)
    if drops is not None:
        verdicts.append(_graded(pid, drops, FAIR_DROPS, POOR_DROPS, Issue.FALLING_BEHIND))
    order = list(Quality)
    return max(verdicts, key=lambda v: order.index(v.quality))


def _graded(pid: str, share: float, fair: float, poor: float, issue: Issue) -> ConnectionQuality:
    if share >= poor:
        return ConnectionQuality(pid, Quality.POOR, issue)
    if share >= fair:
        return ConnectionQuality(pid, Quality.FAIR, issue)
    return ConnectionQuality(pid, Quality.GOOD)


def _loss(before: ParticipantMedia | None, now: ParticipantMedia) -> float | None:
    """Packets lost / packets sent, over the interval, all published tracks together."""
    if before is None:
        return None
    earlier = {t.kind: t for t in before.tracks}
    received = lost = 0
    for track in now.tracks:
        old = earlier.get(track.kind)
        if old is None or track.packets < old.packets or track.packets_lost < old.packets_lost:
            continue  # a new track (republished): its counters started again
        received += track.packets - old.packets
        lost += track.packets_lost - old.packets_lost
    return lost / (received + lost) if received + lost else None


def _drops(before: ParticipantMedia | None, now: ParticipantMedia) -> float | None:
    if before is None or now.forwarded_frames < before.forwarded_frames:
        return None
    sent = now.forwarded_frames - before.forwarded_frames
    dropped = now.dropped_frames - before.dropped_frames
    if dropped < 0 or sent + dropped < MIN_FRAMES:
        return None
    return dropped / (sent + dropped)


@dataclass
class _Watched:
    readings: Mapping[str, ParticipantMedia]
    verdicts: tuple[ConnectionQuality, ...] = ()
    told: frozenset[str] = frozenset()
    """The officers' connections that have these verdicts."""


class QualityWatch:
    """Reads the node every `interval` seconds and tells the officers what changed."""

    def __init__(
        self, namespace: HearingNamespace, node: MediaNode, *, interval: float = INTERVAL_SECONDS
    ) -> None:
        self._namespace = namespace
        self._node = node
        self._interval = interval
        self._watched: dict[str, _Watched] = {}
        self._tasks = TaskSet("quality")

    def start(self) -> None:
        self._tasks.spawn(self._run(), name="connection quality")

    async def close(self) -> None:
        await self._tasks.cancel_and_wait()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.check(time.time())
            except asyncio.CancelledError:
                raise
            except Exception:  # one bad reading must not end the watch
                log.exception("connection quality could not be checked")

    async def check(self, now: float) -> None:
        """Judge every participant of every watched hearing; tell officers what changed."""
        hearings = self._namespace.hearings_with_officers()
        for gone in self._watched.keys() - hearings:
            del self._watched[gone]
        for hearing_id in hearings:
            try:
                readings = self._node.state(hearing_id)
            except NotFound:  # nobody has media in this hearing (yet)
                readings = {}
            watched = self._watched.get(hearing_id)
            before = watched.readings if watched else {}
            verdicts = tuple(
                v
                for pid, media in sorted(readings.items())
                if (v := assess(before.get(pid), media, now)) is not None
            )
            officers = frozenset(await self._namespace.officer_sids(hearing_id))
            if watched is None or verdicts != watched.verdicts:
                to_tell, told = officers, officers
            else:
                to_tell, told = officers - watched.told, officers
            self._watched[hearing_id] = _Watched(readings, verdicts, told)
            if to_tell:
                payload = {"hearing_id": hearing_id,
                           "participants": [v.as_json() for v in verdicts]}  # fmt: skip
                for sid in to_tell:
                    await self._namespace.emit("media_quality", payload, to=sid)
