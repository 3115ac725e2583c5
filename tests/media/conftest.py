"""Fixtures for the media node tests: a running node, a hearing of aiortc participants."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import aiortc.codecs
import aiortc.rtcrtpreceiver
import pytest
from aiortc.mediastreams import MediaStreamTrack

from media import IceConfig, MediaNode
from tests.media.peers import DecodeErrors, Participant


class DecoderSpy:
    """Records which receivers run aiortc's decoding worker, and every decoder created.

    Installed before the node starts, so the node's passthrough hook sees it as
    aiortc's own worker: a receiver shows up here only if it decodes.
    """

    def __init__(self, worker: Callable[..., None], get_decoder: Callable[..., Any]) -> None:
        self._worker = worker
        self._get_decoder = get_decoder
        self._lock = threading.Lock()
        self.output_queues: list[asyncio.Queue[Any]] = []
        self.decoders_created = 0

    def decoder_worker(
        self,
        loop: asyncio.AbstractEventLoop,
        input_q: queue.Queue[Any],
        output_q: asyncio.Queue[Any],
        decode_error: threading.Event,
    ) -> None:
        with self._lock:
            self.output_queues.append(output_q)
        self._worker(loop, input_q, output_q, decode_error)

    def get_decoder(self, codec: Any) -> Any:
        with self._lock:
            self.decoders_created += 1
        return self._get_decoder(codec)


@pytest.fixture
def decoders(monkeypatch: pytest.MonkeyPatch) -> DecoderSpy:
    spy = DecoderSpy(aiortc.rtcrtpreceiver.decoder_worker, aiortc.codecs.get_decoder)
    monkeypatch.setattr(aiortc.rtcrtpreceiver, "decoder_worker", spy.decoder_worker)
    monkeypatch.setattr(aiortc.rtcrtpreceiver, "get_decoder", spy.get_decoder)
    return spy


@pytest.fixture
def decode_errors() -> Iterator[DecodeErrors]:
    handler = DecodeErrors()
    logger = logging.getLogger("aiortc.rtcrtpreceiver")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture
async def node(decoders: DecoderSpy) -> AsyncIterator[MediaNode]:
    # The node's ICE settings apply to the in-process participants too while it runs
    # (the aioice patches are process-wide): everything is on 127.0.0.1, and every
    # socket has a large receive buffer.  The latter matters here: the node and all
    # participants share one event loop, which a loaded machine can stall long enough
    # to overflow aioice's usual 256 kB, and an aiortc receiver that loses a packet
    # may stall its video for seconds (browsers recover at once).
    node = MediaNode(IceConfig(advertise_ip=("127.0.0.1",)), node_id="test-node")
    await node.start()
    yield node
    await node.close()


class Hearing:
    """One hearing's participants on the node, each answering offers as a browser would."""

    def __init__(self, node: MediaNode, hearing_id: str = "h1") -> None:
        self.node = node
        self.id = hearing_id
        self.participants: dict[str, Participant] = {}
        node.on_renegotiate = self._renegotiate

    async def join(
        self,
        participant_id: str,
        *,
        publish: bool = True,
        video_codec: str = "VP8",
        publishes: bool = True,
        receives: bool = True,
        audio_track: MediaStreamTrack | None = None,
    ) -> Participant:
        participant = Participant(self.node, self.id, participant_id)
        self.participants[participant_id] = participant
        participant.start()
        self.node.join(self.id, participant_id, publishes=publishes, receives=receives)
        if publish:
            await participant.publish(video_codec=video_codec, audio_track=audio_track)
        return participant

    async def leave(self, participant_id: str) -> None:
        participant = self.participants.pop(participant_id)
        await self.node.leave(self.id, participant_id)
        await participant.close()

    async def close(self) -> None:
        for participant in self.participants.values():
            await participant.close()

    def _renegotiate(self, hearing_id: str, participant_id: str) -> None:
        participant = self.participants.get(participant_id)
        if hearing_id == self.id and participant is not None:
            participant.renegotiation_needed()


@pytest.fixture
async def hearing(node: MediaNode) -> AsyncIterator[Hearing]:
    hearing = Hearing(node)
    yield hearing
    await hearing.close()
