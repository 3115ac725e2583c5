"""Three aiortc participants speak and are on camera through a sitting, a recess and another
sitting; each sends a beep at a known moment. In every recorded file the beep sits at its
hearing-clock time (within 100 ms), and the files last as long as the time in session."""

from __future__ import annotations

import asyncio
import fractions
import math
import struct
import time
from array import array
from pathlib import Path
from typing import Any

import av
from aiortc.mediastreams import MediaStreamTrack

from hearing.model import Hearing
from tests.harness.rtc_client import RtcParticipant
from tests.harness.server import RunningServer

RATE, SAMPLES = 48000, 960
BEEP_SECONDS = 0.2


class BeepTrack(MediaStreamTrack):
    """Opus audio as a capture device would send it: a quiet 300 Hz tone with a loud 1 kHz
    beep when asked, each 20 ms frame stamped with the wall-clock time it was captured.

    The track encodes its own frames and hands aiortc the packets (aiortc then sends them
    as they are), so that the RTP timestamps follow the wall clock even when a busy machine
    delays the event loop, as a browser's capture clock does.
    """

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._start: float | None = None
        self._pts = -SAMPLES
        self._beep_from: float | None = None
        self.beeped_at: list[float] = []
        """Wall-clock time at which each beep's first frame was captured."""
        self._encoder = av.CodecContext.create("libopus", "w")
        self._encoder.sample_rate = RATE
        self._encoder.layout = "mono"
        self._encoder.format = "s16"
        self._encoder.time_base = fractions.Fraction(1, RATE)

    def beep(self) -> None:
        self._beep_from = time.time()

    async def recv(self) -> av.Packet[Any]:
        if self._start is None:
            self._start = time.time()
        await asyncio.sleep(self._start + (self._pts + SAMPLES) / RATE - time.time())
        # A stalled loop skips samples, like a capture device, rather than fall behind.
        self._pts = max(self._pts + SAMPLES,
                        int((time.time() - self._start) * RATE) // SAMPLES * SAMPLES)  # fmt: skip
        captured = self._start + self._pts / RATE
        beep_from = self._beep_from
        loud = beep_from is not None and 0 <= captured - beep_from < BEEP_SECONDS
        if (
            loud
            and beep_from is not None
            and (not self.beeped_at or self.beeped_at[-1] < beep_from)
        ):
            self.beeped_at.append(captured)
        frequency, amplitude = (1000, 20000) if loud else (300, 800)
        pcm = b"".join(
            struct.pack("<h", int(amplitude * math.sin(2 * math.pi * frequency * i / RATE)))
            for i in range(SAMPLES)
        )
        frame = av.AudioFrame(format="s16", layout="mono", samples=SAMPLES)
        frame.planes[0].update(pcm)
        frame.sample_rate = RATE
        frame.pts = None
        packets = self._encoder.encode(frame)
        # libopus holds the very first frame back (look-ahead): send that one as DTX silence.
        packet = packets[0] if packets else av.Packet(b"\xf8")
        packet.pts = self._pts
        packet.time_base = fractions.Fraction(1, RATE)
        return packet


def beep_times(path: Path) -> list[float]:
    """Seconds into the file at which loud passages begin."""
    found: list[float] = []
    loud_before = False
    to_s16 = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    step = 240  # 5 ms windows: fine enough to place a beep well within 100 ms
    with av.open(str(path)) as container:
        for decoded in container.decode(audio=0):
            start = float(decoded.time or 0.0)
            for frame in to_s16.resample(decoded):
                samples = array("h", bytes(frame.planes[0])[: frame.samples * 2])
                for i in range(0, len(samples) - step + 1, step):
                    window = samples[i : i + step]
                    rms = math.sqrt(sum(v * v for v in window) / step) / 32768
                    loud = rms > 0.2
                    if loud and not loud_before:
                        found.append(start + i / RATE)
                    loud_before = loud
    return found


async def test_markers_and_durations_on_the_hearing_clock(server: RunningServer) -> None:
    people = [{"id": "judge", "display_name": "Judge", "role": "judge"}]
    people += [{"id": pid, "display_name": pid, "role": "party"} for pid in ("p1", "p2", "p3")]
    hearing = await server.create_hearing(participants=people, lobby=False)
    hid = hearing["id"]
    tokens = await server.links(hid)
    tracks = {pid: BeepTrack() for pid in ("p1", "p2", "p3")}
    clients = {pid: RtcParticipant(server.url, tokens[pid], audio=tracks[pid]) for pid in tracks}
    judge = RtcParticipant(server.url, tokens["judge"])
    try:
        await judge.join()
        for client in clients.values():
            await client.join()
            assert (await client.publish())["ok"]
        await judge.sio.call("lifecycle", {"action": "open"})
        await asyncio.sleep(1.0)  # media flowing before the sitting starts
        # First sitting, 6 s: p1 beeps at 2 s, p2 at 3 s; recess; second sitting, 5 s: p3 at 2 s.
        await judge.sio.call("lifecycle", {"action": "start"})
        for delay, pid in ((2.0, "p1"), (1.0, "p2"), (3.0, None)):
            await asyncio.sleep(delay)
            if pid:
                tracks[pid].beep()
        await judge.sio.call("lifecycle", {"action": "recess"})
        await asyncio.sleep(1.5)
        await judge.sio.call("lifecycle", {"action": "resume"})
        await asyncio.sleep(2.0)
        tracks["p3"].beep()
        await asyncio.sleep(3.0)
        await judge.sio.call("lifecycle", {"action": "adjourn"})
    finally:
        for client in (*clients.values(), judge):
            await client.close()

    stored = Hearing.model_validate_json(
        (server.settings.data_dir / "hearings" / hid / "hearing.json").read_bytes()
    )
    clock = stored.clock
    sittings = [end - begin for begin, end in clock.sittings if end is not None]
    async with asyncio.timeout(30):
        while not (await server.request("GET", f"/api/v1/hearings/{hid}/recordings"))[1]["indexed"]:
            await asyncio.sleep(0.2)
    _, listing = await server.request("GET", f"/api/v1/hearings/{hid}/recordings")
    folder = server.settings.data_dir / "hearings" / hid / "recordings"
    report = []
    for pid, track in tracks.items():
        files = sorted((f for f in listing["files"]
                        if f["role"] == "segment" and f["participant_id"] == pid),
                       key=lambda f: f["offset"])  # fmt: skip
        assert len(files) == 2, (pid, files)  # the recess splits the record
        for f, sitting in zip(files, sittings, strict=True):
            assert abs(f["duration"] - sitting) < 0.3, (pid, f["duration"], sitting)
        expected = clock.at(track.beeped_at[0])
        found = [f["offset"] + t for f in files for t in beep_times(folder / f["file"])]
        report.append((pid, [(f["offset"], f["duration"]) for f in files], found, expected))
    for pid, files, found, expected in report:
        assert len(found) == 1, (pid, found)
        assert abs(found[0] - expected) < 0.1, (pid, files, found[0], expected, sittings)
