"""Pre-encoded media for the benchmark clients: made once, then sent without encoding."""

from __future__ import annotations

import asyncio
import fractions
import math
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

__all__ = ["EncodedClip", "LoopingPacketTrack", "make_clip"]

WIDTH, HEIGHT, FPS = 640, 480, 30
VIDEO_BITRATE = 600_000
"""About what a browser sends for a 640x480 camera."""
KEYFRAME_INTERVAL = 60
"""Frames between keyframes (2 s): a file cannot answer PLIs, so new subscribers wait."""
AUDIO_RATE, AUDIO_FRAME = 48000, 960


def _video_frame(n: int, texture: bytes) -> av.VideoFrame:
    frame = av.VideoFrame(width=WIDTH, height=HEIGHT, format="yuv420p")
    offset = (n * 4 % HEIGHT) * WIDTH  # scrolls, as a camera's picture moves
    frame.planes[0].update(texture[offset : offset + WIDTH * HEIGHT])
    chroma = bytes([128 + int(40 * math.sin(n / 15))]) * frame.planes[1].buffer_size
    frame.planes[1].update(chroma)
    frame.planes[2].update(bytes([128]) * frame.planes[2].buffer_size)
    frame.pts = n
    return frame


def _audio_frame(n: int) -> av.AudioFrame:
    start = n * AUDIO_FRAME
    pcm = b"".join(
        struct.pack("<h", int(5000 * math.sin(2 * math.pi * 330 * (start + i) / AUDIO_RATE)))
        for i in range(AUDIO_FRAME)
    )
    frame = av.AudioFrame(format="s16", layout="mono", samples=AUDIO_FRAME)
    frame.planes[0].update(pcm)
    frame.sample_rate = AUDIO_RATE
    frame.pts = start
    frame.time_base = fractions.Fraction(1, AUDIO_RATE)
    return frame


def make_clip(path: Path, seconds: float) -> None:
    """Write a VP8 640x480@30 + Opus 48 kHz WebM file of ``seconds``."""
    row = bytes((x * 5 + (x // 40) * 60) & 0xFF for x in range(WIDTH))
    texture = b"".join(row[y % WIDTH :] + row[: y % WIDTH] for y in range(HEIGHT * 2))
    with av.open(str(path), "w", format="webm") as container:
        video: Any = container.add_stream("libvpx", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.bit_rate = VIDEO_BITRATE
        video.gop_size = KEYFRAME_INTERVAL
        video.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
        audio: Any = container.add_stream("libopus", rate=AUDIO_RATE)
        audio.layout = "mono"
        audio.bit_rate = 32000
        video_frames = int(seconds * FPS)
        audio_frames = int(seconds * AUDIO_RATE / AUDIO_FRAME)
        for n in range(max(video_frames, audio_frames)):
            if n < video_frames:
                container.mux(video.encode(_video_frame(n, texture)))
            if n < audio_frames:
                container.mux(audio.encode(_audio_frame(n)))
        container.mux(video.encode(None))
        container.mux(audio.encode(None))


@dataclass(frozen=True)
class _Frame:
    data: bytes
    pts: int
    keyframe: bool


@dataclass(frozen=True)
class EncodedClip:
    """One stream of a clip, in memory: its encoded frames and their timing."""

    kind: str
    frames: tuple[_Frame, ...]
    time_base: fractions.Fraction
    duration: int
    """Length of one pass, in time_base units (where the next loop's timestamps start)."""

    @classmethod
    def read(cls, path: Path, kind: str) -> EncodedClip:
        with av.open(str(path)) as container:
            stream = container.streams.video[0] if kind == "video" else container.streams.audio[0]
            time_base = stream.time_base
            assert time_base is not None
            frames = [
                _Frame(bytes(p), p.pts, p.is_keyframe)
                for p in container.demux(stream)
                if p.size and p.pts is not None
            ]
        frames.sort(key=lambda f: f.pts)
        step = frames[1].pts - frames[0].pts
        first = frames[0].pts
        frames = [_Frame(f.data, f.pts - first, f.keyframe) for f in frames]
        return cls(kind, tuple(frames), time_base, frames[-1].pts + step)


_MAX_LATE = 0.2
"""Seconds a frame may be late before the track stops trying to catch up."""


class LoopingPacketTrack(MediaStreamTrack):
    """Plays a clip's encoded frames in real time, forever, with ever-increasing timestamps.

    aiortc's ``MediaPlayer(loop=True)`` restarts timestamps at each pass and then
    bursts a whole pass at once; this keeps pace and timestamps continuous.
    """

    def __init__(self, clip: EncodedClip) -> None:
        super().__init__()
        self.kind = clip.kind
        self._clip = clip
        self._index = 0
        self._start: float | None = None

    async def recv(self) -> av.Packet[Any]:
        if self.readyState != "live":
            raise MediaStreamError
        clip = self._clip
        loops, index = divmod(self._index, len(clip.frames))
        frame = clip.frames[index]
        pts = loops * clip.duration + frame.pts
        if self._start is None:
            self._start = time.monotonic()
        delay = self._start + float(pts * clip.time_base) - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -_MAX_LATE:
            # This process did not get the CPU for a while.  A camera would not send
            # the frames it missed in one burst either: carry on from now.
            self._start -= delay
        self._index += 1
        packet = av.Packet(frame.data)
        packet.pts, packet.time_base, packet.is_keyframe = pts, clip.time_base, frame.keyframe
        return packet
