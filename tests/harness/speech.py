"""A microphone that plays a speech file: its Opus packets, sent as they are, in real time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import av
from aiortc.mediastreams import MediaStreamTrack

__all__ = ["SpeechTrack"]

_SAMPLES, _RATE = 960, 48000


class SpeechTrack(MediaStreamTrack):
    """Sends `silence` until `speak()`, then the speech packets once, then silence again.

    aiortc forwards `av.Packet`s without encoding them, so the node receives exactly the
    packets of the speech file: the offline reference can decode the very same audio.
    `spoke_at` is the wall time the first speech packet was sent; `sent[i]` the wall time
    speech packet `i` was handed to the sender (which puts it on the wire at once).
    """

    kind = "audio"

    def __init__(
        self, speech: Sequence[bytes], silence: Sequence[bytes], *, at_once: bool = False
    ) -> None:
        """`at_once`: the track starts with the speech (its receiver then gets exactly the
        file's packet sequence from its first packet, as an offline decoder reads it)."""
        super().__init__()
        self._speech, self._silence = list(speech), list(silence)
        self._queue: list[bytes] = list(speech) if at_once else []
        self._start: float | None = None
        self._n = 0
        self.spoke_at: float | None = None
        self.sent: list[float] = []
        self.done = asyncio.Event()
        if at_once and not self._queue:
            self.done.set()  # nothing to say

    def speak(self) -> None:
        self._queue = list(self._speech)

    async def recv(self) -> av.Packet[Any]:
        if self._start is None:
            self._start = time.time()
        await asyncio.sleep(self._start + self._n * _SAMPLES / _RATE - time.time())
        if self._queue:
            now = time.time()
            if self.spoke_at is None:
                self.spoke_at = now
            self.sent.append(now)
            data = self._queue.pop(0)
            if not self._queue:
                self.done.set()
        else:
            data = self._silence[self._n % len(self._silence)]
        packet = av.Packet(data)
        packet.pts, packet.time_base = self._n * _SAMPLES, Fraction(1, _RATE)
        self._n += 1
        return packet
