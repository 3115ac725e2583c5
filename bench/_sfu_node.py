"""The media node's process in the benchmark: ours (forwarding) or the baseline (relay + re-encode).

Clients connect over a Unix socket and exchange JSON lines, as browsers would over
Socket.IO: ``join``, ``publish`` (-> ``answer``), and the node's ``offer`` for the
subscribe connection (-> the client's ``answer``).  The orchestrator asks over the
control pipe for ``stats`` (CPU seconds of this process, frames forwarded) and ``stop``.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import logging
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from aiortc import RTCBundlePolicy, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamTrack

from bench._sfu_wire import Control, read_message, write_message
from hearing.tasks import TaskSet
from media import IceConfig, MediaNode, SessionDescription
from media.ice import advertised_addresses, consent_checks_stop_at_close
from media.passthrough import close_connection

__all__ = ["run"]

log = logging.getLogger(__name__)

HEARING = "bench"
LOOPBACK = IceConfig(advertise_ip=("127.0.0.1",))


class _Session:
    def __init__(self, participant_id: str, writer: asyncio.StreamWriter) -> None:
        self.participant_id = participant_id
        self.writer = writer
        self.offer_due = asyncio.Event()


class ForwardingNode:
    """Our media node behind a minimal signaling server.

    A participant may use one connection for everything, or one to publish and
    another to receive (its ``join`` says whether it receives).
    """

    def __init__(self) -> None:
        self.node = MediaNode(LOOPBACK, node_id="bench", on_renegotiate=self._renegotiate)
        self._joined: set[str] = set()
        self._sessions: dict[str, _Session] = {}  # the connection that receives, by participant
        self._tasks = TaskSet("bench forwarding node")

    async def start(self) -> None:
        await self.node.start()

    async def close(self) -> None:
        await self._tasks.cancel_and_wait()
        await self.node.close()

    def stats(self) -> dict[str, Any]:
        state = self.node.state(HEARING) if self._joined else {}
        return {
            "cpu": time.process_time(),
            "forwarded": sum(p.forwarded_frames for p in state.values()),
            "received": {f"{pid}/{t.kind}": t.frames for pid, p in state.items() for t in p.tracks},
            "packets": {
                f"{pid}/{t.kind}": (t.packets, t.packets_lost)
                for pid, p in state.items()
                for t in p.tracks
            },
            "dropped": sum(p.dropped_frames for p in state.values()),
        }

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hello = await read_message(reader)
        assert hello is not None and hello["op"] == "join"
        participant_id: str = hello["id"]
        if participant_id not in self._joined:
            self._joined.add(participant_id)
            self.node.join(HEARING, participant_id)
        if hello["receive"]:
            session = self._sessions[participant_id] = _Session(participant_id, writer)
            self._tasks.spawn(self._offers(session), name=f"offers to {participant_id}")
            session.offer_due.set()  # an offer may have been due before this connection
        while (message := await read_message(reader)) is not None:
            if message["op"] == "publish":
                offer = SessionDescription(message["sdp"], "offer")
                answer = await self.node.publish(HEARING, participant_id, offer)
                await write_message(writer, {"op": "answer", "sdp": answer.sdp})
            elif message["op"] == "answer":
                answer = SessionDescription(message["sdp"], "answer")
                await self.node.subscriber_answer(HEARING, participant_id, answer)

    def _renegotiate(self, hearing_id: str, participant_id: str) -> None:
        session = self._sessions.get(participant_id)
        if session is not None:
            session.offer_due.set()

    async def _offers(self, session: _Session) -> None:
        while True:
            await session.offer_due.wait()
            session.offer_due.clear()
            offer = await self.node.subscriber_offer(HEARING, session.participant_id)
            if offer is not None:
                tracks = {mid: [t.participant_id, t.kind] for mid, t in offer.tracks.items()}
                message = {"op": "offer", "sdp": offer.description.sdp, "tracks": tracks}
                await write_message(session.writer, message)


class _CountingTrack(MediaStreamTrack):
    """A relayed track that counts the frames its sender takes (and encodes)."""

    def __init__(self, inner: MediaStreamTrack, counted: Callable[[], None]) -> None:
        super().__init__()
        self.kind = inner.kind
        self._inner = inner
        self._counted = counted

    async def recv(self) -> Any:
        frame = await self._inner.recv()
        self._counted()
        return frame


class RelayNode:
    """The baseline: aiortc as documented, decoding and re-encoding for every subscriber."""

    def __init__(self, participants: int) -> None:
        self._participants = participants
        self._configuration = RTCConfiguration(iceServers=[])
        self._relay = MediaRelay()
        self._published: dict[str, list[MediaStreamTrack]] = {}
        self._writers: dict[str, asyncio.StreamWriter] = {}
        self._subscribers: dict[str, RTCPeerConnection] = {}
        self._pcs: list[RTCPeerConnection] = []
        self._forwarded = 0
        self._hooks = contextlib.ExitStack()

    async def start(self) -> None:
        self._hooks.enter_context(advertised_addresses(["127.0.0.1"]))
        self._hooks.enter_context(consent_checks_stop_at_close())

    async def close(self) -> None:
        for pc in self._pcs:
            await close_connection(pc)
        self._hooks.close()

    def stats(self) -> dict[str, Any]:
        return {"cpu": time.process_time(), "forwarded": self._forwarded}

    def _count(self) -> None:
        self._forwarded += 1

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hello = await read_message(reader)
        assert hello is not None and hello["op"] == "join"
        participant_id: str = hello["id"]
        self._writers[participant_id] = writer
        while (message := await read_message(reader)) is not None:
            if message["op"] == "publish":
                pc = RTCPeerConnection(self._configuration)
                self._pcs.append(pc)
                tracks = self._published.setdefault(participant_id, [])
                pc.on("track", tracks.append)
                await pc.setRemoteDescription(RTCSessionDescription(message["sdp"], "offer"))
                await pc.setLocalDescription(await pc.createAnswer())
                await write_message(writer, {"op": "answer", "sdp": pc.localDescription.sdp})
                if len(self._published) == self._participants and not self._subscribers:
                    for subscriber in self._writers:  # everyone is in: subscribe them all
                        await self._offer(subscriber)
            elif message["op"] == "answer":
                answer = RTCSessionDescription(message["sdp"], "answer")
                await self._subscribers[participant_id].setRemoteDescription(answer)

    async def _offer(self, participant_id: str) -> None:
        pc = self._subscribers[participant_id] = RTCPeerConnection(
            RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        )
        self._pcs.append(pc)
        kinds: list[tuple[str, str]] = []
        for publisher, tracks in self._published.items():
            if publisher == participant_id:
                continue
            for track in sorted(tracks, key=lambda t: t.kind):
                pc.addTrack(_CountingTrack(self._relay.subscribe(track), self._count))
                kinds.append((publisher, track.kind))
        await pc.setLocalDescription(await pc.createOffer())
        mids = [t.mid for t in pc.getTransceivers()]
        tracks_by_mid = {mid: list(kind) for mid, kind in zip(mids, kinds, strict=True)}
        message = {"op": "offer", "sdp": pc.localDescription.sdp, "tracks": tracks_by_mid}
        await write_message(self._writers[participant_id], message)


async def _main(control_conn: Connection, socket_path: str, mode: str, participants: int) -> None:
    control = Control(control_conn)
    node = ForwardingNode() if mode == "sfu" else RelayNode(participants)
    await node.start()
    connections = TaskSet("bench node connections")

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await node.serve(reader, writer)
        finally:
            writer.close()

    def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.spawn(serve(reader, writer), name="client connection")

    server = await asyncio.start_unix_server(accept, socket_path)
    control.send("ready")
    try:
        while (request := await control.get()) is not None:
            if request[0] == "stats":
                control.send("stats", node.stats())
            elif request[0] == "stop":
                break
    finally:
        server.close()
        await connections.cancel_and_wait()
        await node.close()
        await server.wait_closed()
        control.close()


def run(
    control: Connection, socket_path: str, mode: str, participants: int, profile: str | None
) -> None:
    """Process entry point: serve until the orchestrator says stop."""
    logging.basicConfig(level=logging.WARNING, format=f"node[{mode}] %(levelname)s %(message)s")
    if profile is None:
        asyncio.run(_main(control, socket_path, mode, participants))
        return
    profiler = cProfile.Profile(time.thread_time)  # CPU of the event loop, not wall time
    profiler.enable()
    try:
        asyncio.run(_main(control, socket_path, mode, participants))
    finally:
        profiler.disable()
        profiler.dump_stats(profile)
