"""The transcription benchmark over WebRTC: the real server in its own process, aiortc clients.

`NodeProcess` runs the server; `LiveHearing` is a Korean hearing in session on it,
its judge connected and keeping every caption with its arrival time. In it, new
participants speak each turn's file as the start of their track (`fresh_tracks`),
counsel speaks all turns on one running track (`one_track`), and ten participants
publish silence while the server's CPU is read with and without transcription
(`silent_cost`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import multiprocessing
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.context import SpawnProcess
from pathlib import Path
from statistics import fmean
from types import TracebackType
from typing import Any

import aiohttp

from bench import _transcription_node
from bench._transcription_client import BenchParticipant, Caption
from bench._transcription_speech import PACKET_SECONDS, SpeechFile, opus_silence, sound_span
from media import passthrough
from media.ice import advertised_addresses, consent_checks_stop_at_close
from tests.harness.redis_server import free_port
from tests.harness.server import hearing_body
from tests.harness.speech import SpeechTrack

__all__ = ["LiveHearing", "NodeProcess", "SilentCost", "TurnResult", "loopback_clients"]

SPEAKER = "kim"
SILENT = [f"p{i}" for i in range(10)]
LEAD_IN = 0.6  # seconds of silence before the first turn: the track and its pipeline start
LAST_WORD = 0.5  # a final ending this close to the end of the speech is its last
SETTLE = 1.0  # seconds after ten participants joined before the server's CPU is read
SILENT_WINDOWS = (True, False, False, True) * 2  # transcription on or off in each window
SWITCH = 0.3  # seconds for pipelines to be made or ended after transcription is switched


@contextlib.contextmanager
def loopback_clients() -> Iterator[None]:
    """aiortc in this process as the clients need it: on 127.0.0.1, frames not decoded."""
    with (
        advertised_addresses(["127.0.0.1"]),
        consent_checks_stop_at_close(),
        passthrough.installed(),
    ):
        yield


class NodeProcess:
    """The server (`bench._transcription_node`) in a process of its own; always stopped."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_token = secrets.token_urlsafe(24)
        context = multiprocessing.get_context("spawn")
        self._conn, theirs = context.Pipe()
        self._process: SpawnProcess = context.Process(
            target=_transcription_node.run,
            args=(theirs, str(data_dir), self.port, self.admin_token),
            name="hearing-node",
        )

    async def __aenter__(self) -> NodeProcess:
        self._process.start()
        try:
            await self._reply(60, "start")
        except BaseException:
            await self._stop()
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._stop()

    async def request(self, *message: Any, timeout: float = 60) -> tuple[Any, ...]:
        self._conn.send(message)
        return await self._reply(timeout, str(message[0]))

    async def cpu(self) -> tuple[float, float]:
        """(wall time, CPU seconds of the server process so far)."""
        _, wall, cpu = await self.request("cpu")
        return float(wall), float(cpu)

    async def _reply(self, timeout: float, what: str) -> tuple[Any, ...]:
        def wait() -> tuple[Any, ...]:
            if not self._conn.poll(timeout):
                raise TimeoutError(f"the server did not answer {what!r} within {timeout} s")
            reply: tuple[Any, ...] = self._conn.recv()
            return reply

        return await asyncio.to_thread(wait)

    async def _stop(self) -> None:
        if self._process.is_alive():
            try:
                self._conn.send(("stop",))
            except OSError:
                pass
            await asyncio.to_thread(self._process.join, 20)
        if self._process.is_alive():
            self._process.terminate()
            await asyncio.to_thread(self._process.join, 5)
        if self._process.is_alive():
            self._process.kill()
            await asyncio.to_thread(self._process.join)


@dataclass(frozen=True)
class TurnResult:
    """One turn of the continuous track as the judge's client saw it.

    Latencies in seconds, None when the caption never came.
    """

    text: str
    partial_latency: float | None
    final_latency: float | None


class LiveHearing:
    """A Korean hearing in session on the node, with its judge connected (receiving captions)."""

    def __init__(self, node: NodeProcess, hearing_id: str, tokens: dict[str, str]) -> None:
        self.node = node
        self.id = hearing_id
        self._tokens = tokens
        self.judge = BenchParticipant(node.url, tokens["judge"])
        self.sitting = 0.0  # wall time of hearing clock zero

    @classmethod
    async def start(cls, node: NodeProcess, speakers: int) -> LiveHearing:
        """Create the hearing (no lobby), connect the judge, open it and start the sitting."""
        people = [{"id": "judge", "display_name": "재판장 한", "role": "judge"},
                  {"id": SPEAKER, "display_name": "김민지", "role": "counsel"},
                  *({"id": f"s{k}", "display_name": f"증인 {k}", "role": "counsel"}
                    for k in range(speakers)),
                  *({"id": p, "display_name": f"당사자 {p}", "role": "party"}
                    for p in SILENT)]  # fmt: skip
        admin = {"Authorization": f"Bearer {node.admin_token}"}
        body = hearing_body(participants=people, lobby=False, language="ko")
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{node.url}/api/v1/hearings", json=body, headers=admin) as r:
                r.raise_for_status()
                hearing_id = str((await r.json())["id"])
            path = f"{node.url}/api/v1/hearings/{hearing_id}/links"
            async with http.post(path, headers=admin) as r:
                r.raise_for_status()
                links = (await r.json())["links"]
        tokens = {link["participant_id"]: link["token"] for link in links}
        hearing = cls(node, hearing_id, tokens)
        try:
            await hearing.judge.join()
            for action in ("open", "start"):
                await hearing.judge.call("lifecycle", {"action": action})
        except BaseException:
            await hearing.close()
            raise
        stored = node.data_dir / "hearings" / hearing_id / "hearing.json"
        hearing.sitting = float(json.loads(stored.read_text())["sittings"][0][0])
        return hearing

    async def close(self) -> None:
        await self.judge.close()

    def participant(self, participant_id: str, microphone: SpeechTrack) -> BenchParticipant:
        return BenchParticipant(self.node.url, self._tokens[participant_id], microphone)

    async def fresh_tracks(self, turns: Sequence[SpeechFile]) -> list[str]:
        """Each turn's text when its file is all a new track sends (then silence).

        The node then gets exactly the file's packets from a track's first packet on,
        as offline Vosk reads the file: turn k is spoken by participant s<k>, all at once.
        """
        microphones = [SpeechTrack(t.packets, opus_silence(50), at_once=True) for t in turns]
        speakers = [self.participant(f"s{k}", m) for k, m in enumerate(microphones)]
        try:
            for speaker in speakers:
                await speaker.join()
            await asyncio.gather(*(speaker.publish() for speaker in speakers))
            ends = []
            for turn, microphone in zip(turns, microphones, strict=True):
                await asyncio.wait_for(microphone.done.wait(), turn.seconds + 60)
                ends.append(self._at(microphone, 0, sound_span(turn)[1]))
            await self.judge.wait_until(
                lambda captions: all(
                    _heard_to(captions, f"s{k}", end) for k, end in enumerate(ends)
                ),
                timeout=30,
            )
        finally:
            for speaker in speakers:
                await speaker.close()
        return [
            " ".join(c.text for c in self.judge.captions if c.final and c.participant_id == f"s{k}")
            for k in range(len(turns))
        ]

    async def one_track(self, turns: Sequence[SpeechFile], pause: float) -> list[TurnResult]:
        """Counsel speaks every turn on one running track; the judge's client times captions."""
        script, begins = _script(turns, pause)
        microphone = SpeechTrack(script, opus_silence(50), at_once=True)
        counsel = self.participant(SPEAKER, microphone)
        try:
            await counsel.join()
            await counsel.publish()
            await asyncio.wait_for(microphone.done.wait(), len(script) * PACKET_SECONDS + 60)
            end = self._at(microphone, begins[-1], sound_span(turns[-1])[1])
            await self.judge.wait_until(lambda c: _heard_to(c, SPEAKER, end), timeout=30)
        finally:
            await counsel.close()
        # Turn k's captions are about audio sent from its file's first packet to the next's.
        bounds = [self._at(microphone, b, 0.0) for b in begins[1:]]
        windows = zip([-math.inf, *bounds], [*bounds, math.inf], strict=True)
        mine = [c for c in self.judge.captions if c.participant_id == SPEAKER]
        results = []
        for turn, begin, (low, high) in zip(turns, begins, windows, strict=True):
            first, last = sound_span(turn)
            spoke = microphone.sent[begin + int(first / PACKET_SECONDS)]
            ended = microphone.sent[begin + int(last / PACKET_SECONDS)]
            partials = [c for c in mine if not c.final and low <= (c.end or 0.0) < high]
            finals = [c for c in mine if c.final and low <= (c.start or 0.0) < high]
            results.append(
                TurnResult(
                    " ".join(c.text for c in finals),
                    partials[0].arrived - spoke if partials else None,
                    finals[-1].arrived - ended if finals else None,
                )
            )
        return results

    async def silent_cost(self, seconds: float) -> SilentCost:
        """Ten participants publish silence; server CPU with transcription on and off.

        `seconds` of measuring in all, in windows on, off, off, on, on, off, off, on (a
        steady drift of the machine's load weighs on both alike).
        """
        silent = [
            self.participant(p, SpeechTrack([], opus_silence(50), at_once=True)) for p in SILENT
        ]
        on: list[float] = []
        off: list[float] = []
        try:
            await asyncio.gather(*(person.join() for person in silent))
            await asyncio.gather(*(person.publish() for person in silent))
            await self.judge.wait_for_frames(set(SILENT), timeout=60)
            await asyncio.sleep(SETTLE)  # renegotiations and recordings start
            for transcribing in SILENT_WINDOWS:
                await self.node.request("transcription", transcribing)
                await asyncio.sleep(SWITCH)
                wall, cpu = await self.node.cpu()
                await asyncio.sleep(seconds / len(SILENT_WINDOWS))
                wall2, cpu2 = await self.node.cpu()
                (on if transcribing else off).append((cpu2 - cpu) / (wall2 - wall))
            await self.node.request("transcription", True)
        finally:
            for person in silent:
                await person.close()
        return SilentCost(on, off, len(SILENT))

    def _at(self, microphone: SpeechTrack, index: int, seconds: float) -> float:
        """Hearing time at which `seconds` into the file starting at packet `index` was sent."""
        return microphone.sent[index + int(seconds / PACKET_SECONDS)] - self.sitting


def _heard_to(captions: list[Caption], participant_id: str, end: float) -> bool:
    """Whether a final of `participant_id` reached (almost) `end` on the hearing clock."""
    return any(
        c.final and c.participant_id == participant_id and (c.end or 0.0) >= end - LAST_WORD
        for c in captions
    )


def _script(turns: Sequence[SpeechFile], pause: float) -> tuple[list[bytes], list[int]]:
    """The microphone's packets, and where each turn's file begins among them."""
    silence = opus_silence(round(max(LEAD_IN, pause) / PACKET_SECONDS))
    script = silence[: round(LEAD_IN / PACKET_SECONDS)]
    begins = []
    for turn in turns:
        begins.append(len(script))
        script += [*turn.packets, *silence[: round(pause / PACKET_SECONDS)]]
    return script, begins


@dataclass(frozen=True)
class SilentCost:
    """Server cores in windows with transcription on and off, ten silent tracks each time."""

    on: list[float]
    off: list[float]
    participants: int

    @property
    def per_participant(self) -> float:
        return (fmean(self.on) - fmean(self.off)) / self.participants
