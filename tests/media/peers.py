"""Participants played by aiortc peers: they publish generated media and decode all they get."""

from __future__ import annotations

import asyncio
import fractions
import logging
import math
import struct
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import av
from aiortc import RTCBundlePolicy, RTCConfiguration, RTCPeerConnection, RTCRtpSender
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack, VideoStreamTrack

from hearing.tasks import TaskSet
from media import MediaNode, OfferedTrack, SessionDescription, SubscriberOffer
from media.passthrough import close_connection

__all__ = [
    "VIDEO_SIZE",
    "DecodeErrors",
    "Participant",
    "PatternVideoTrack",
    "ToneAudioTrack",
    "wait_until",
]

VIDEO_SIZE = (160, 120)
"""Small: a test runs the node, every encoder and every decoder on one event loop."""

CLIENT_CONFIG = RTCConfiguration(iceServers=[])
# An aiortc answerer with the default (balanced) bundle policy leaves the second and
# later m-lines of a kind on a transport it then discards, when one offer brings
# several; browsers do not.  Max-bundle puts every m-line on one transport from the start.
SUBSCRIBE_CONFIG = RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)


async def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, poll: float = 0.02
) -> None:
    """Wait for ``condition`` to hold, failing with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(poll)


class PatternVideoTrack(VideoStreamTrack):
    """A moving luma pattern at 30 fps: every frame differs, as a camera's would."""

    def __init__(self, width: int = VIDEO_SIZE[0], height: int = VIDEO_SIZE[1]) -> None:
        super().__init__()
        self.width, self.height = width, height
        row = bytes((x * 7) & 0xFF for x in range(width))
        self._texture = b"".join(row[y % width :] + row[: y % width] for y in range(height * 2))
        self._n = 0

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame(width=self.width, height=self.height, format="yuv420p")
        offset = (self._n * 3 % self.height) * self.width
        self._n += 1
        frame.planes[0].update(self._texture[offset : offset + self.width * self.height])
        for plane in frame.planes[1:]:
            plane.update(bytes([128]) * plane.buffer_size)
        frame.pts, frame.time_base = pts, time_base
        return frame


class ToneAudioTrack(MediaStreamTrack):
    """A 440 Hz tone, 20 ms frames of 48 kHz mono, paced in real time."""

    kind = "audio"
    _SAMPLES = 960
    _PCM = b"".join(
        struct.pack("<h", int(6000 * math.sin(2 * math.pi * 440 * i / 48000)))
        for i in range(_SAMPLES)
    )

    def __init__(self) -> None:
        super().__init__()
        self._start: float | None = None
        self._pts = 0

    async def recv(self) -> av.AudioFrame:
        if self._start is None:
            self._start = time.time()
        else:
            self._pts += self._SAMPLES
            await asyncio.sleep(self._start + self._pts / 48000 - time.time())
        frame = av.AudioFrame(format="s16", layout="mono", samples=self._SAMPLES)
        frame.planes[0].update(self._PCM)
        frame.pts, frame.sample_rate = self._pts, 48000
        frame.time_base = fractions.Fraction(1, 48000)
        return frame


class DecodeErrors(logging.Handler):
    """Counts aiortc's "failed to decode" warnings (its decoders log them, nothing else)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "failed to decode" in record.getMessage():
            self.count += 1


class Participant:
    """One participant: a publish and a subscribe connection to the node, like a browser's."""

    def __init__(self, node: MediaNode, hearing_id: str, participant_id: str) -> None:
        self.node = node
        self.hearing_id = hearing_id
        self.id = participant_id
        self.frames: Counter[tuple[str, str]] = Counter()
        """Decoded frames by (publisher participant id, kind)."""
        self.sizes: dict[str, tuple[int, int]] = {}
        """Size of the last decoded video frame, by publisher."""
        self.first_video_at: float | None = None
        self.answered_at: list[float] = []
        self.tracks: dict[str, OfferedTrack] = {}
        self._publish_pc: RTCPeerConnection | None = None
        self._video_sender: RTCRtpSender | None = None
        self._subscribe_pc = RTCPeerConnection(SUBSCRIBE_CONFIG)
        self._subscribe_pc.on("track", self._on_track)
        self._renegotiate = asyncio.Event()
        self._tasks = TaskSet(f"participant {participant_id}")
        self._offer_codecs: dict[str, set[str]] = {}
        self.received_tracks: list[MediaStreamTrack] = []
        """Every track the subscribe connection got (each decodes in its own thread)."""
        self.last_frame_at: dict[tuple[str, str], float] = {}
        self.max_gap: dict[tuple[str, str], float] = {}
        """Longest time between two decoded frames, by (publisher, kind); reset by tests."""
        self.keyframe_requests = 0
        """PLIs/FIRs the node sent to this participant's video publisher."""

    async def publish(
        self,
        *,
        video_codec: str = "VP8",
        audio: bool = True,
        audio_track: MediaStreamTrack | None = None,
    ) -> None:
        """Publish a tone (or `audio_track`) and a moving pattern; ``video_codec``: "VP8",
        "H264", "H264|VP8"..."""
        pc = self._publish_pc = RTCPeerConnection(CLIENT_CONFIG)
        if audio:
            pc.addTransceiver(audio_track or ToneAudioTrack(), direction="sendonly")
        video = pc.addTransceiver(PatternVideoTrack(), direction="sendonly")
        capabilities = RTCRtpSender.getCapabilities("video").codecs
        video.setCodecPreferences(
            [
                c
                for name in (*video_codec.split("|"), "rtx")
                for c in capabilities
                if c.mimeType == f"video/{name}"
            ]
        )
        sender = video.sender
        send_keyframe = sender._send_keyframe

        def count_keyframe_request() -> None:
            self.keyframe_requests += 1
            send_keyframe()

        setattr(sender, "_send_keyframe", count_keyframe_request)  # noqa: B010
        self._video_sender = sender
        await pc.setLocalDescription(await pc.createOffer())
        offer = SessionDescription(pc.localDescription.sdp, "offer")
        answer = await self.node.publish(self.hearing_id, self.id, offer)
        await pc.setRemoteDescription(answer.to_aiortc())

    def renegotiation_needed(self) -> None:
        """The node's on_renegotiate, routed here."""
        self._renegotiate.set()

    def start(self) -> None:
        """Answer the node's subscriber offers as they come, as the signaling layer would."""
        self._tasks.spawn(self._negotiate_forever(), name=f"{self.id} negotiation")

    async def negotiate(self) -> bool:
        """Fetch and answer the node's next subscriber offer; False if there was none."""
        offer = await self.node.subscriber_offer(self.hearing_id, self.id)
        if offer is None:
            return False
        answer = await self.answer(offer)
        await self.node.subscriber_answer(self.hearing_id, self.id, answer)
        return True

    async def answer(self, offer: SubscriberOffer) -> SessionDescription:
        """Apply a subscriber offer to the subscribe connection; the answer to send back."""
        pc = self._subscribe_pc
        await pc.setRemoteDescription(offer.description.to_aiortc())
        await pc.setLocalDescription(await pc.createAnswer())
        self.tracks = dict(offer.tracks)
        self._offer_codecs = _codecs_by_mid(offer.description.sdp)
        self.answered_at.append(time.monotonic())
        return SessionDescription(pc.localDescription.sdp, "answer")

    async def _negotiate_forever(self) -> None:
        while True:
            await self._renegotiate.wait()
            self._renegotiate.clear()
            await self.negotiate()

    def publishers(self, kind: str) -> set[str]:
        """Publishers from whom at least one frame of ``kind`` was decoded."""
        return {pid for (pid, k), n in self.frames.items() if k == kind and n > 0}

    def snapshot(self) -> Counter[tuple[str, str]]:
        return Counter(self.frames)

    def lose_video_packet(self, *, retransmissions: int) -> None:
        """Lose the next video packet sent, and its next ``retransmissions`` resends."""
        sender = self._video_sender
        assert sender is not None, "not publishing"
        transport = sender.transport
        send_rtp = transport._send_rtp
        lost: list[int] = []  # the sequence number, once chosen
        resends_to_lose = [retransmissions]

        async def lossy_send_rtp(data: bytes) -> None:
            ssrc = int.from_bytes(data[8:12], "big")
            if not 192 <= data[1] < 224:  # RTP, not RTCP
                if ssrc == sender._ssrc and not lost:
                    lost.append(int.from_bytes(data[2:4], "big"))
                    return
                if ssrc == sender._rtx_ssrc and resends_to_lose[0] > 0:
                    resends_to_lose[0] -= 1
                    return
            await send_rtp(data)

        setattr(transport, "_send_rtp", lossy_send_rtp)  # noqa: B010

    async def packets_received(self) -> int:
        """RTP packets that arrived on the subscribe connection so far."""
        total = 0
        for receiver in self._subscribe_pc.getReceivers():
            for stats in (await receiver.getStats()).values():
                if stats.type == "inbound-rtp":
                    total += stats.packetsReceived
        return total

    async def request_keyframe(self, publisher_id: str) -> None:
        """Send the node a PLI for the video this participant gets from ``publisher_id``."""
        for transceiver in self._subscribe_pc.getTransceivers():
            offered = self.tracks.get(transceiver.mid or "")
            if offered == OfferedTrack(publisher_id, "video"):
                receiver = transceiver.receiver
                for source in receiver.getSynchronizationSources():
                    await receiver._send_rtcp_pli(source.source)

    def subscribe_sdp_codecs(self) -> dict[str, set[str]]:
        """Codec names per mid in the last offer the node made."""
        return self._offer_codecs

    async def close(self) -> None:
        await self._tasks.cancel_and_wait()
        await close_connection(self._subscribe_pc)
        if self._publish_pc is not None:
            await close_connection(self._publish_pc)

    def _on_track(self, track: MediaStreamTrack) -> None:
        transceiver = next(
            t for t in self._subscribe_pc.getTransceivers() if t.receiver.track is track
        )
        self.received_tracks.append(track)
        self._tasks.spawn(self._consume(transceiver.mid or "", track), name=f"{self.id} consume")

    async def _consume(self, mid: str, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame: Any = await track.recv()
            except MediaStreamError:
                return
            offered = self.tracks.get(mid)
            if offered is None:
                continue  # an idle slot: its publisher left
            key = (offered.participant_id, offered.kind)
            now = time.monotonic()
            self.frames[key] += 1
            if key in self.last_frame_at:
                self.max_gap[key] = max(self.max_gap.get(key, 0.0), now - self.last_frame_at[key])
            self.last_frame_at[key] = now
            if isinstance(frame, av.VideoFrame):
                self.sizes[offered.participant_id] = (frame.width, frame.height)
                if self.first_video_at is None:
                    self.first_video_at = now


def _codecs_by_mid(sdp: str) -> dict[str, set[str]]:
    codecs: dict[str, set[str]] = {}
    current: set[str] = set()
    for line in sdp.splitlines():
        if line.startswith("m="):
            current = set()
        elif line.startswith("a=mid:"):
            codecs[line[len("a=mid:") :]] = current
        elif line.startswith("a=rtpmap:"):
            current.add(line.split()[1].split("/")[0])
    return codecs
