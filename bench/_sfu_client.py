"""A benchmark participant's process: publishes a pre-encoded clip, counts what it receives.

Publishing sends the clip's VP8 and Opus frames as they are (no encoding).  A
counting participant counts received frames from the RTP header of each datagram
as it arrives (SRTP leaves the header in clear: the last packet of a frame carries
the marker bit, the SSRC names the track) and goes no further: no decryption,
depacketizing or decoding, so that ten of them fit on a small machine next to the
node.  STUN, DTLS and RTCP go through aiortc as usual.

The verifying participant takes aiortc's receive path (decryption, jitter buffer,
NACKs) with the media node's passthrough hook, so that each complete frame comes
to its event loop as a packet, and decodes every one with PyAV there; it reports
the frames that fail to decode.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aioice.turn
import av
from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from bench._sfu_media import EncodedClip, LoopingPacketTrack
from bench._sfu_wire import Control, read_message, write_message
from hearing.tasks import TaskSet
from media import passthrough
from media.ice import advertised_addresses, consent_checks_stop_at_close
from media.passthrough import close_connection

__all__ = ["run"]

log = logging.getLogger(__name__)


class Participant:
    """One participant's connections (or one of them): publish, receive, or both.

    ``receive``: "count" frames at the RTP layer, "decode" every frame, or "none".
    """

    def __init__(self, participant_id: str, clip: Path, *, publish: bool, receive: str) -> None:
        self.id = participant_id
        self.publish = publish
        self.receive = receive
        self.frames: Counter[str] = Counter()
        """Frames received per mid of the subscribe connection."""
        self._mid_of_ssrc: dict[int, str] = {}
        self.tracks: dict[str, tuple[str, str]] = {}
        self.decode_errors = 0
        self._video = EncodedClip.read(clip, "video")
        self._audio = EncodedClip.read(clip, "audio")
        self._publish_pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        # One transport for all m-lines (aiortc's balanced policy mishandles an offer
        # that brings several of one kind).
        self._subscribe_pc = RTCPeerConnection(
            RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        )
        self._subscribe_pc.on("track", self._on_track)
        self._tasks = TaskSet(f"participant {participant_id}")

    def report(self) -> dict[str, Any]:
        by_track: dict[str, int] = {}
        for mid, (publisher, kind) in self.tracks.items():
            by_track[f"{publisher}/{kind}"] = self.frames[mid]
        return {"frames": by_track, "decode_errors": self.decode_errors}

    async def run(self, socket_path: str, control: Control) -> None:
        reader, writer = await asyncio.open_unix_connection(socket_path)
        try:
            hello = {"op": "join", "id": self.id, "receive": self.receive != "none"}
            await write_message(writer, hello)
            if self.publish:
                await write_message(writer, {"op": "publish", "sdp": await self._publish_offer()})
            self._tasks.spawn(self._signaling(reader, writer), name=f"{self.id} signaling")
            control.send("joined")
            while (request := await control.get()) is not None:
                if request[0] == "report":
                    control.send("report", self.report())
                elif request[0] == "stop":
                    break
        finally:
            await self._tasks.cancel_and_wait()
            writer.close()
            await close_connection(self._subscribe_pc)
            await close_connection(self._publish_pc)

    async def _publish_offer(self) -> str:
        pc = self._publish_pc
        pc.addTransceiver(LoopingPacketTrack(self._audio), direction="sendonly")
        video = pc.addTransceiver(LoopingPacketTrack(self._video), direction="sendonly")
        video.setCodecPreferences(
            [
                c
                for c in RTCRtpSender.getCapabilities("video").codecs
                if c.mimeType in ("video/VP8", "video/rtx")
            ]
        )
        await pc.setLocalDescription(await pc.createOffer())
        return str(pc.localDescription.sdp)

    async def _signaling(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (message := await read_message(reader)) is not None:
            if message["op"] == "answer":  # to our publish offer
                answer = RTCSessionDescription(message["sdp"], "answer")
                await self._publish_pc.setRemoteDescription(answer)
            elif message["op"] == "offer":
                pc = self._subscribe_pc
                self.tracks = {mid: (p, k) for mid, (p, k) in message["tracks"].items()}
                self._mid_of_ssrc.update(_ssrc_mids(message["sdp"]))
                await pc.setRemoteDescription(RTCSessionDescription(message["sdp"], "offer"))
                await pc.setLocalDescription(await pc.createAnswer())
                if self.receive == "count":
                    self._count_at_the_socket()
                await write_message(writer, {"op": "answer", "sdp": pc.localDescription.sdp})

    def _on_track(self, track: MediaStreamTrack) -> None:
        transceiver = next(
            t for t in self._subscribe_pc.getTransceivers() if t.receiver.track is track
        )
        if self.receive == "decode":
            # Our node's passthrough: the frames come whole to this event loop (no
            # decoder thread hand-offs, the costliest part of aiortc's receive path),
            # and are decoded right here.
            passthrough.mark_passthrough(transceiver.receiver)
            mid = transceiver.mid or ""
            self._tasks.spawn(self._decode(mid, track), name=f"{self.id} decode {mid}")

    async def _decode(self, mid: str, track: MediaStreamTrack) -> None:
        decoder: Any = av.CodecContext.create("vp8" if track.kind == "video" else "opus", "r")
        with contextlib.suppress(MediaStreamError):
            while True:
                packet = await track.recv()
                try:
                    frames = decoder.decode(packet)
                except av.FFmpegError:
                    self.decode_errors += 1
                    continue
                self.frames[mid] += len(frames)

    def _count_at_the_socket(self) -> None:
        """Count RTP where datagrams arrive, in place of aiortc's whole receive path."""
        loop = asyncio.get_running_loop()
        # Every m-line shares one transport (max-bundle), gathered by now.
        transceiver = self._subscribe_pc.getTransceivers()[0]
        connection = transceiver.receiver.transport.transport._connection
        for protocol in connection._protocols:
            if getattr(protocol, "counted", False):
                continue
            setattr(protocol, "counted", True)  # noqa: B010
            sock: socket.socket = getattr(protocol.transport, "_sock")  # noqa: B009
            # Read every waiting datagram at each wake-up: asyncio reads one per turn of
            # the loop, and the turns, not the datagrams, cost most here.
            # (The selector loop's own methods: the public ones refuse a transport's socket.)
            getattr(loop, "_remove_reader")(sock.fileno())  # noqa: B009
            getattr(loop, "_add_reader")(sock.fileno(), self._drain, sock, protocol)  # noqa: B009

    def _drain(self, sock: socket.socket, protocol: Any) -> None:
        for _ in range(1000):
            try:
                data, addr = sock.recvfrom(4096)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                protocol.error_received(e)
                return
            # RTP (RFC 5761 demultiplexing): version 2, payload type outside RTCP's.
            if len(data) >= 12 and 128 <= data[0] < 192 and not 192 <= data[1] < 224:
                if data[1] & 0x80:  # marker: a frame's last packet (every one, for audio)
                    mid = self._mid_of_ssrc.get(int.from_bytes(data[8:12], "big"))
                    if mid is not None:
                        self.frames[mid] += 1
            else:  # STUN, DTLS, RTCP: to aiortc
                protocol.datagram_received(data, addr)


def _ssrc_mids(sdp: str) -> dict[int, str]:
    """SSRC -> mid of the media streams an offer announces (retransmissions left out)."""
    mids: dict[int, str] = {}
    mid, first = "", True
    for line in sdp.splitlines():
        if line.startswith("m="):
            mid, first = "", True
        elif line.startswith("a=mid:"):
            mid = line[len("a=mid:") :]
        elif line.startswith("a=ssrc:") and first:
            mids[int(line[len("a=ssrc:") :].split()[0])] = mid
            first = False
    return mids


async def _main(
    control_conn: Connection, socket_path: str, pid: str, clip: Path, publish: bool, receive: str
) -> None:
    control = Control(control_conn)
    with (
        advertised_addresses(["127.0.0.1"]),
        consent_checks_stop_at_close(),
        passthrough.installed(),
    ):
        participant = Participant(pid, clip, publish=publish, receive=receive)
        await participant.run(socket_path, control)
    control.close()


def run(
    control: Connection,
    socket_path: str,
    participant_id: str,
    clip: str,
    publish: bool,
    receive: str,
) -> None:
    """Process entry point: take part until the orchestrator says stop."""
    logging.basicConfig(level=logging.ERROR, format=f"{participant_id} %(levelname)s %(message)s")
    # Room for bursts while this small process waits for the CPU: a lost packet stalls
    # an aiortc receiver's video for seconds (browsers recover at once).
    aioice.turn.UDP_SOCKET_BUFFER_SIZE = 2 * 1024 * 1024
    asyncio.run(_main(control, socket_path, participant_id, Path(clip), publish, receive))
