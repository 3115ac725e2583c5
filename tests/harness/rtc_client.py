"""A participant as a browser would be, played by aiortc over the real Socket.IO signaling.

It publishes a tone and a moving pattern, answers the node's subscribe offers and
decodes every frame it receives, counting them by (publisher, kind).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import socketio
from aiortc import RTCBundlePolicy, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from hearing.tasks import TaskSet
from media.passthrough import close_connection
from tests.media.peers import PatternVideoTrack, ToneAudioTrack

from .sio import SioClient

__all__ = ["RtcParticipant", "sitting"]


class RtcParticipant:
    """Signaling connection plus a publish and a subscribe peer connection."""

    def __init__(self, base_url: str, token: str, *, audio: MediaStreamTrack | None = None) -> None:
        self.sio = SioClient(base_url, token)
        self._audio = audio or ToneAudioTrack()
        self.frames: Counter[tuple[str, str]] = Counter()
        self.tracks: dict[str, tuple[str, str]] = {}
        self._publish = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._subscribe = RTCPeerConnection(
            RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        )
        self._subscribe.on("track", self._on_track)
        self._tasks = TaskSet("rtc participant")
        self.sio.on("subscribe_offer", self._on_offer)

    async def join(self) -> None:
        await self.sio.connect()
        assert (await self.sio.call("hello"))["ok"]
        ack = await self.sio.call("join")
        assert ack["ok"], ack

    async def offer(self) -> dict[str, str]:
        """A real publish offer (tone + pattern), made once."""
        if self._publish.localDescription is None:
            self._publish.addTransceiver(self._audio, direction="sendonly")
            self._publish.addTransceiver(PatternVideoTrack(), direction="sendonly")
            await self._publish.setLocalDescription(await self._publish.createOffer())
        return {"type": "offer", "sdp": self._publish.localDescription.sdp}

    async def publish(self) -> dict[str, Any]:
        """Publish; returns the ack (the answer is applied when it is one)."""
        ack: dict[str, Any] = await self.sio.call("publish", await self.offer())
        if ack.get("ok"):
            answer = ack["answer"]
            await self._publish.setRemoteDescription(RTCSessionDescription(**answer))
        return ack

    async def packets_received(self) -> int:
        """RTP packets that arrived on the receiving connection so far."""
        total = 0
        for receiver in self._subscribe.getReceivers():
            for stats in (await receiver.getStats()).values():
                if stats.type == "inbound-rtp":
                    total += stats.packetsReceived
        return total

    def publishers(self, kind: str) -> set[str]:
        return {pid for (pid, k), n in self.frames.items() if k == kind and n > 0}

    async def close(self) -> None:
        await self._tasks.cancel_and_wait()
        await self.sio.close()
        await close_connection(self._subscribe)
        await close_connection(self._publish)

    async def _on_offer(self, offer: dict[str, Any]) -> None:
        pc = self._subscribe
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        self.tracks = {mid: (t["participant_id"], t["kind"]) for mid, t in offer["tracks"].items()}
        # Answer from a task: the client's event handler must not wait for its own ack.
        answer = {"type": "answer", "sdp": pc.localDescription.sdp}
        self._tasks.spawn(self._answer(answer))

    async def _answer(self, answer: dict[str, str]) -> None:
        try:
            await self.sio.call("subscribe_answer", answer)
        except socketio.exceptions.BadNamespaceError:
            pass  # the connection closed meanwhile (the test is ending, or was ended)

    def _on_track(self, track: MediaStreamTrack) -> None:
        transceiver = next(
            t for t in self._subscribe.getTransceivers() if t.receiver.track is track
        )
        self._tasks.spawn(self._consume(transceiver.mid or "", track))

    async def _consume(self, mid: str, track: MediaStreamTrack) -> None:
        while True:
            try:
                await track.recv()
            except MediaStreamError:
                return
            if mid in self.tracks:
                self.frames[self.tracks[mid]] += 1
                self.last_frame_at = time.monotonic()


async def sitting(presiding: RtcParticipant, *speakers: RtcParticipant) -> None:
    """Everyone joins, the judge (or mediator) opens and starts the hearing, and each of
    `speakers` publishes: a hearing in session, with their media flowing to the node."""
    for p in (presiding, *speakers):
        await p.join()
    await presiding.sio.start_hearing()
    for p in speakers:
        ack = await p.publish()
        assert ack["ok"], ack
