"""Speech for the transcription bench and tests, sent the way a WebRTC peer sends it.

espeak-ng speaks Korean into a WAV; the WAV is encoded to Opus (48 kHz, 20 ms frames,
32 kb/s, VoIP mode, as a browser does) into an Ogg file, which is "the speech file":
its packets are what a sender puts on the wire, and the offline reference decodes the
same file. Packets are re-stamped with RTP-style timestamps that start anywhere.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from array import array
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
from av.audio.frame import AudioFrame
from av.audio.resampler import AudioResampler

from transcription.audio import OPUS_RATE, OPUS_TIME_BASE, SAMPLE_RATE, file_pcm

__all__ = [
    "PACKET_SECONDS",
    "SpeechFile",
    "make_speech",
    "opus_silence",
    "paced",
    "read_packets",
    "restamp",
    "sound_span",
    "speak",
    "stamped",
]

PACKET_SECONDS = 0.02
_PACKET_SAMPLES = 960
_RTP_WRAP = 1 << 32
_SOUND = 64  # a sample louder than this (16-bit) is sound, not silence or coding noise


def speak(text: str, wav: Path, *, voice: str = "ko", speed: int = 175) -> Path:
    """Synthesize `text` with espeak-ng into `wav` (cached: kept if it exists)."""
    if not wav.exists():
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text],
            check=True,
            capture_output=True,
        )
    return wav


def _frames(wav: Path, lead: float, trail: float) -> Iterator[AudioFrame]:
    resampler = AudioResampler(format="s16", layout="mono", rate=OPUS_RATE)
    if lead > 0:
        yield _silent_frame(round(lead * OPUS_RATE))
    with av.open(str(wav)) as container:
        for frame in container.decode(audio=0):
            yield from resampler.resample(frame)
    yield from resampler.resample(None)
    if trail > 0:
        yield _silent_frame(round(trail * OPUS_RATE))


def _silent_frame(samples: int) -> AudioFrame:
    frame = AudioFrame(format="s16", layout="mono", samples=samples)
    frame.sample_rate = OPUS_RATE
    frame.planes[0].update(bytes(frame.planes[0].buffer_size))
    return frame


def encode_opus(wav: Path, ogg: Path, *, lead: float = 0.0, trail: float = 0.0) -> Path:
    """Encode `wav` (with `lead`/`trail` seconds of silence around it) into Ogg Opus."""
    with av.open(str(ogg), "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=OPUS_RATE)
        ctx = stream.codec_context
        ctx.layout = "mono"
        ctx.format = "s16"
        ctx.bit_rate = 32_000
        ctx.options = {"application": "voip", "frame_duration": "20"}
        framer = AudioResampler(
            format="s16", layout="mono", rate=OPUS_RATE, frame_size=_PACKET_SAMPLES
        )
        pts = 0
        for frame in _frames(wav, lead, trail):
            for sized in framer.resample(frame):
                sized.pts, sized.time_base = pts, OPUS_TIME_BASE
                pts += sized.samples
                out.mux(stream.encode(sized))
        for sized in framer.resample(None):
            sized.pts, sized.time_base = pts, OPUS_TIME_BASE
            pts += sized.samples
            out.mux(stream.encode(sized))
        out.mux(stream.encode(None))
    return ogg


def read_packets(ogg: Path) -> list[bytes]:
    """The Opus packets of an Ogg file, in order."""
    with av.open(str(ogg)) as container:
        return [bytes(p) for p in container.demux(audio=0) if p.size]


@dataclass(frozen=True, slots=True)
class SpeechFile:
    """A spoken text: the WAV espeak-ng made and the Ogg Opus file that is sent."""

    text: str
    wav: Path
    ogg: Path
    packets: tuple[bytes, ...]
    lead: float  # seconds of silence before the speech

    @property
    def seconds(self) -> float:
        return len(self.packets) * PACKET_SECONDS

    @property
    def speech_end(self) -> float:
        """Seconds from the file's start to the end of its last sound."""
        return _last_sound(self.wav) + self.lead


def make_speech(
    text: str, folder: Path, name: str, *, lead: float = 0.0, trail: float = 0.0
) -> SpeechFile:
    """Speak `text` and encode it as a sender would (files cached in `folder`)."""
    wav = speak(text, folder / f"{name}.wav")
    ogg = folder / f"{name}.ogg"
    if not ogg.exists():
        encode_opus(wav, ogg, lead=lead, trail=trail)
    return SpeechFile(text, wav, ogg, tuple(read_packets(ogg)), lead)


def sound_span(speech: SpeechFile) -> tuple[float, float]:
    """Seconds from the file's start to the first and the last sound of its sent audio.

    Read from the Opus packets decoded as the receiver decodes them (what was sent,
    coding delay included), so `int(t / PACKET_SECONDS)` is the packet carrying `t`.
    """
    samples = array("h", file_pcm(speech.ogg))  # s16, native byte order
    loud = [i for i, value in enumerate(samples) if abs(value) > _SOUND]
    if not loud:
        raise ValueError(f"{speech.ogg} is silent")
    return loud[0] / SAMPLE_RATE, (loud[-1] + 1) / SAMPLE_RATE


def _last_sound(wav: Path) -> float:
    with av.open(str(wav)) as container:
        stream = container.streams.audio[0]
        last, position = 0.0, 0
        for frame in container.decode(stream):
            data = bytes(frame.planes[0])[: frame.samples * 2]
            for i in range(frame.samples - 1, -1, -1):
                if abs(int.from_bytes(data[2 * i : 2 * i + 2], "little", signed=True)) > _SOUND:
                    last = (position + i + 1) / frame.sample_rate
                    break
            position += frame.samples
        return last


def opus_silence(count: int) -> list[bytes]:
    """`count` packets of digital silence from a fresh encoder, 20 ms each."""
    codec = av.CodecContext.create("libopus", "w")
    assert isinstance(codec, av.AudioCodecContext)
    codec.format, codec.layout, codec.sample_rate = "s16", "mono", OPUS_RATE
    codec.bit_rate, codec.time_base = 32_000, OPUS_TIME_BASE
    codec.options = {"application": "voip", "frame_duration": "20"}
    out: list[bytes] = []
    pts = 0
    while len(out) < count:
        frame = _silent_frame(_PACKET_SAMPLES)
        frame.pts, frame.time_base = pts, OPUS_TIME_BASE
        pts += _PACKET_SAMPLES
        out.extend(bytes(p) for p in codec.encode(frame))
    return out[:count]


def stamped(data: bytes, pts: int) -> av.Packet[Any]:
    """A packet as the media node hands it over: RTP timestamp as pts, 1/48000 time base."""
    packet = av.Packet(data)
    packet.pts = pts % _RTP_WRAP
    packet.time_base = OPUS_TIME_BASE
    return packet


def restamp(
    payloads: Iterable[bytes], *, first_pts: int, start: float
) -> Iterator[tuple[av.Packet[Any], float]]:
    """Packets 20 ms apart from `first_pts`, each with the wall time it would arrive at."""
    for i, data in enumerate(payloads):
        yield stamped(data, first_pts + i * _PACKET_SAMPLES), start + i * PACKET_SECONDS


async def paced(
    packets: Iterable[tuple[av.Packet[Any], float]],
) -> AsyncIterator[tuple[av.Packet[Any], float]]:
    """Yield each packet at its arrival time (real time), stamped with the actual arrival."""
    for packet, due in packets:
        delay = due - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        yield packet, time.time()
