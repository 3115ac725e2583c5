"""A bench participant as a browser would be: Socket.IO signaling and aiortc, audio only.

Its microphone is the tests' :class:`SpeechTrack`: Opus packets sent as they are
(aiortc packs an ``av.Packet`` without encoding it), one every 20 ms, each one's send
time kept, so that the bench knows when the packet carrying a given sound left. It
receives what the node offers through aiortc's receive path with the media node's
passthrough (frames counted, not decoded: ten of these fit next to the node on a
small machine), and keeps every caption with the wall time it arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import socketio
from aiortc import RTCBundlePolicy, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.exceptions import InvalidStateError
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from hearing.tasks import TaskSet
from media import passthrough
from media.passthrough import close_connection
from tests.harness.speech import SpeechTrack

__all__ = ["BenchParticipant", "Caption"]

NAMESPACE = "/hearing"
_SAMPLES, _RATE = 960, 48_000


@dataclass(frozen=True, slots=True)
class Caption:
    """A `caption` event as a client received it: `start`, `end` on the hearing clock."""

    arrived: float  # wall time (time.time()) at which the client got it
    participant_id: str
    text: str
    final: bool
    start: float | None
    end: float | None

    @classmethod
    def of(cls, data: dict[str, Any], arrived: float) -> Caption:
        return cls(arrived, str(data["participant_id"]), str(data["text"]), bool(data["final"]),
                   data["start"], data["end"])  # fmt: skip


class BenchParticipant:
    """One participant's Socket.IO connection, publishing and receiving connections."""

    def __init__(self, url: str, token: str, microphone: SpeechTrack | None = None) -> None:
        self._url, self._token = url, token
        self.microphone = microphone
        self.captions: list[Caption] = []
        self.frames: Counter[str] = Counter()  # frames received, by publisher
        self._caption_arrived = asyncio.Condition()
        self._new_publisher = asyncio.Condition()
        self._tracks: dict[str, str] = {}  # subscribe mid -> publisher
        self._sio = socketio.AsyncClient(reconnection=False)
        self._sio.on("caption", self._on_caption, namespace=NAMESPACE)
        self._sio.on("subscribe_offer", self._on_offer, namespace=NAMESPACE)
        self._publish = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._subscribe = RTCPeerConnection(
            RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        )
        self._subscribe.on("track", self._on_track)
        self._tasks = TaskSet("bench participant")
        self._closing = False

    async def join(self) -> None:
        await self._sio.connect(
            self._url,
            namespaces=[NAMESPACE],
            transports=["websocket"],
            auth={"token": self._token},
            wait_timeout=10,
        )
        for event in ("hello", "join"):
            await self.call(event)

    async def call(self, event: str, data: Any = None) -> dict[str, Any]:
        """Send `event` and return its ack; raises RuntimeError if the server refused it."""
        ack: dict[str, Any] = await self._sio.call(event, data, namespace=NAMESPACE, timeout=20)
        if not ack.get("ok"):
            raise RuntimeError(f"{event} refused: {ack}")
        return ack

    async def publish(self) -> None:
        """Publish the microphone (audio only)."""
        assert self.microphone is not None
        self._publish.addTransceiver(self.microphone, direction="sendonly")
        await self._publish.setLocalDescription(await self._publish.createOffer())
        offer = {"type": "offer", "sdp": self._publish.localDescription.sdp}
        answer = (await self.call("publish", offer))["answer"]
        await self._publish.setRemoteDescription(RTCSessionDescription(**answer))

    async def wait_until(self, done: Callable[[list[Caption]], bool], timeout: float) -> bool:
        """Wait until `done(captions)` holds; False if it did not within `timeout`."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout), self._caption_arrived:
                await self._caption_arrived.wait_for(lambda: done(self.captions))
                return True
        return False

    async def wait_for_frames(self, publishers: set[str], timeout: float) -> None:
        """Wait until frames of every one of `publishers` came (TimeoutError if not in time)."""
        async with asyncio.timeout(timeout), self._new_publisher:
            await self._new_publisher.wait_for(lambda: publishers <= set(self.frames))

    async def close(self) -> None:
        self._closing = True
        if self._sio.connected:
            await self._sio.disconnect()
        await self._sio.shutdown()
        await self._tasks.cancel_and_wait()
        await close_connection(self._subscribe)
        await close_connection(self._publish)

    async def _on_caption(self, data: dict[str, Any]) -> None:
        caption = Caption.of(data, time.time())  # first thing: when it arrived
        async with self._caption_arrived:
            self.captions.append(caption)
            self._caption_arrived.notify_all()

    async def _on_offer(self, offer: dict[str, Any]) -> None:
        pc = self._subscribe
        self._tracks.update({mid: t["participant_id"] for mid, t in offer["tracks"].items()})
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type="offer"))
            await pc.setLocalDescription(await pc.createAnswer())
        except InvalidStateError:
            if self._closing:
                return  # an offer that came as this participant was leaving
            raise
        if self._closing:
            return
        # From a task: an event handler must not wait for an ack of its own connection.
        answer = {"type": "answer", "sdp": pc.localDescription.sdp}
        self._tasks.spawn(self._answer(answer), name="subscribe answer")

    async def _answer(self, answer: dict[str, str]) -> None:
        with contextlib.suppress(socketio.exceptions.BadNamespaceError):  # closing meanwhile
            await self.call("subscribe_answer", answer)

    def _on_track(self, track: MediaStreamTrack) -> None:
        transceiver = next(
            t for t in self._subscribe.getTransceivers() if t.receiver.track is track
        )
        passthrough.mark_passthrough(transceiver.receiver)
        self._tasks.spawn(self._count(transceiver.mid or "", track), name="count frames")

    async def _count(self, mid: str, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                await track.recv()
                publisher = self._tracks.get(mid, "?")
                self.frames[publisher] += 1
                if self.frames[publisher] == 1:
                    async with self._new_publisher:
                        self._new_publisher.notify_all()
