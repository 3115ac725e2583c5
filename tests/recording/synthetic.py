"""Real encoded media for the recording tests, a stand-in for the media node, and measurements.

Clips are made once per session with FFmpeg's sources (``testsrc2``: a moving
picture; ``aevalsrc``: a quiet tone) and PyAV's real encoders (libvpx, libopus,
libx264). Markers are placed at known media times: a white frame (flash) in the
video and a loud 1 kHz beep in the audio.

:class:`Publisher` plays a participant as the media node delivers it: RTP
timestamps from an arbitrary base, network delay and jitter, and the node's jitter
buffers releasing each frame only when a later one arrives (the next, by default:
``TrackInfo.release_lag``).
"""

from __future__ import annotations

import asyncio
import fractions
import random
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import av

from media.codecs import MediaKind
from media.passthrough import release_lag
from media.tap import MediaPacket, TrackInfo
from recording import Recorder, RecordingSink

__all__ = [
    "Clip",
    "ClipFrame",
    "Delivery",
    "Publisher",
    "Step",
    "beep_onsets",
    "decode_all",
    "encode_audio",
    "encode_h264",
    "encode_video",
    "flash_times",
    "play",
]

BEEP_LENGTH = 0.1

Step = str | Callable[[], None]
"""A recorder lifecycle method's name, or something to do at that time."""


@dataclass(frozen=True)
class ClipFrame:
    data: bytes
    rtp: int
    """RTP time from the clip's start, in 1/clock_rate."""
    keyframe: bool


@dataclass(frozen=True)
class Clip:
    kind: MediaKind
    codec: str
    clock_rate: int
    frames: tuple[ClipFrame, ...]

    @property
    def duration(self) -> float:
        step = self.frames[1].rtp - self.frames[0].rtp
        return (self.frames[-1].rtp + step) / self.clock_rate

    def until(self, seconds: float) -> Clip:
        return Clip(
            self.kind,
            self.codec,
            self.clock_rate,
            tuple(f for f in self.frames if f.rtp < seconds * self.clock_rate),
        )


def _enable(times: Sequence[float], fps: int) -> str:
    return "+".join(f"eq(n\\,{round(t * fps)})" for t in times) or "0"


def encode_video(
    seconds: float,
    *,
    size: tuple[int, int] = (640, 480),
    fps: int = 30,
    flashes: Sequence[float] = (),
    keyframe_interval: int = 30,
) -> Clip:
    """A moving test picture in VP8, with a white frame at each time in `flashes`."""
    w, h = size
    source = av.open(
        f"testsrc2=s={w}x{h}:r={fps}:d={seconds},"
        f"drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='{_enable(flashes, fps)}',"
        "format=yuv420p",
        format="lavfi",
    )
    encoder = av.CodecContext.create("libvpx", "w")
    assert isinstance(encoder, av.VideoCodecContext)
    encoder.width, encoder.height, encoder.pix_fmt = w, h, "yuv420p"
    encoder.time_base = fractions.Fraction(1, fps)
    encoder.framerate = fractions.Fraction(fps)
    encoder.bit_rate = 800_000
    encoder.gop_size = keyframe_interval
    encoder.thread_count = 1  # libvpx's threads spin: one is 30 times cheaper here
    encoder.options = {
        "deadline": "realtime",
        "cpu-used": "8",
        "lag-in-frames": "0",
    }
    frames = []
    with source:
        for n, frame in enumerate(source.decode(video=0)):
            frame.pts = n
            frame.time_base = encoder.time_base
            frame.pict_type = av.video.frame.PictureType.NONE  # else every frame is a key frame
            frames.extend(encoder.encode(frame))
    frames.extend(encoder.encode(None))
    step = 90000 // fps
    return Clip(
        "video",
        "VP8",
        90000,
        tuple(
            ClipFrame(bytes(p), (p.pts or 0) * step, p.is_keyframe)
            for p in sorted(frames, key=lambda p: p.pts or 0)
        ),
    )


def encode_h264(seconds: float, *, size: tuple[int, int], fps: int = 30) -> Clip:
    """The test picture in H.264 (constrained baseline, Annex-B, parameter sets per key frame)."""
    w, h = size
    source = av.open(f"testsrc2=s={w}x{h}:r={fps}:d={seconds},format=yuv420p", format="lavfi")
    encoder = av.CodecContext.create("libx264", "w")
    assert isinstance(encoder, av.VideoCodecContext)
    encoder.width, encoder.height, encoder.pix_fmt = w, h, "yuv420p"
    encoder.time_base = fractions.Fraction(1, fps)
    encoder.thread_count = 1
    encoder.options = {
        "preset": "ultrafast",
        "tune": "zerolatency",
        "profile": "baseline",
        "x264-params": f"keyint={fps}:annexb=1:repeat-headers=1",
    }
    packets = []
    with source:
        for n, frame in enumerate(source.decode(video=0)):
            frame.pts = n
            frame.time_base = encoder.time_base
            frame.pict_type = av.video.frame.PictureType.NONE
            packets.extend(encoder.encode(frame))
    packets.extend(encoder.encode(None))
    step = 90000 // fps
    return Clip(
        "video",
        "H264",
        90000,
        tuple(ClipFrame(bytes(p), (p.pts or 0) * step, p.is_keyframe) for p in packets),
    )


def encode_audio(seconds: float, *, beeps: Sequence[float] = ()) -> Clip:
    """A quiet 220 Hz tone in Opus (20 ms packets), a loud 1 kHz beep at each time in `beeps`."""
    beep = "+".join(f"between(t\\,{t}\\,{t + BEEP_LENGTH})" for t in beeps) or "0"
    source = av.open(
        f"aevalsrc=exprs='0.02*sin(2*PI*220*t)+0.5*sin(2*PI*1000*t)*({beep})'"
        f":s=48000:d={seconds}:c=mono,aformat=sample_fmts=s16",
        format="lavfi",
    )
    encoder = av.CodecContext.create("libopus", "w")
    assert isinstance(encoder, av.AudioCodecContext)
    encoder.sample_rate = 48000
    encoder.layout = "mono"
    encoder.format = "s16"
    encoder.bit_rate = 32000
    encoder.time_base = fractions.Fraction(1, 48000)
    packets = []
    with source:
        for frame in source.decode(audio=0):
            packets.extend(encoder.encode(frame))
    packets.extend(encoder.encode(None))
    # RTP counts input samples; the encoder's first packet starts at -pre-skip.
    first = packets[0].pts or 0
    return Clip(
        "audio",
        "opus",
        48000,
        tuple(ClipFrame(bytes(p), (p.pts or 0) - first, True) for p in packets),
    )


@dataclass(frozen=True, order=True)
class Delivery:
    """Something the node does at wall-clock `at`: start a track, deliver a frame, end it."""

    at: float
    order: int
    track: TrackInfo = field(compare=False)
    event: str = field(compare=False)
    """"start", "frame" or "end"."""
    frame: MediaPacket | None = field(compare=False, default=None)


@dataclass
class Publisher:
    """A participant publishing clips from wall-clock `join`, as the media node hands them over."""

    participant_id: str
    join: float
    clips: Sequence[Clip]
    delay: float = 0.02
    jitter: float = 0.02
    seed: int = 1
    release_lag: dict[str, int] | None = None  # frames, per kind; None: as the node does

    def deliveries(self, hearing_id: str) -> Iterator[Delivery]:
        rng = random.Random(self.seed)
        order = 0
        for clip in self.clips:
            base = rng.randrange(0, 2**31)
            arrivals: list[float] = []
            for frame in clip.frames:
                sent = self.join + frame.rtp / clip.clock_rate
                arrived = sent + self.delay + rng.uniform(0, self.jitter)
                arrivals.append(max(arrivals[-1] if arrivals else 0.0, arrived))
            lag = (self.release_lag or {}).get(clip.kind, release_lag(clip.kind))
            info = TrackInfo(
                hearing_id,
                self.participant_id,
                clip.kind,
                clip.codec,
                clip.clock_rate,
                self.join,
                release_lag=lag,
            )
            # The node announces a track with its first packet, as aiortc hands it over:
            # when a later frame has arrived, so one track tens of milliseconds after the other.
            first = arrivals[min(lag, len(arrivals) - 1)] if arrivals else self.join
            yield Delivery(first, order, info, "start")
            order += 1
            released = 0.0
            for n, frame in enumerate(clip.frames):
                # aiortc hands frame n over when frame n + lag arrives.
                released = max(released, arrivals[min(n + lag, len(arrivals) - 1)])
                packet = av.Packet(frame.data)
                packet.pts = base + frame.rtp
                packet.time_base = fractions.Fraction(1, clip.clock_rate)
                packet.is_keyframe = frame.keyframe
                yield Delivery(
                    released, order, info, "frame", MediaPacket(packet, frame.keyframe, released)
                )
                order += 1
            yield Delivery(released + 0.001, order, info, "end")
            order += 1


async def play(
    recorder: Recorder,
    publishers: Sequence[Publisher],
    steps: Sequence[tuple[float, Step]] = (),
    *,
    speed: float = 20.0,
) -> None:
    """Deliver every publisher's tracks to `recorder` in time order, and at each (wall time,
    step) of `steps` call ``await recorder.<step>(at=wall time)``, or the step itself if it
    is a function.

    Time runs `speed` times faster than real time, and the loop gets control as it would
    in the node, so callbacks from the recorder run while tracks are still live.
    """
    deliveries = sorted(d for p in publishers for d in p.deliveries(recorder.hearing_id))
    pending = sorted(steps, key=lambda step: step[0])
    sinks: dict[tuple[str, str], RecordingSink | None] = {}
    loop = asyncio.get_running_loop()
    origin, began = deliveries[0].at, loop.time()
    for delivery in deliveries:
        ahead = began + (delivery.at - origin) / speed - loop.time()
        if ahead > 0.005:
            await asyncio.sleep(ahead)
        while pending and pending[0][0] <= delivery.at:
            await _step(recorder, *pending.pop(0))
        key = delivery.track.participant_id, delivery.track.kind
        if delivery.event == "start":
            sinks[key] = recorder.track_started(delivery.track)
            continue
        sink = sinks[key]
        if sink is None:  # the recorder did not take the track
            continue
        if delivery.frame is not None:
            sink.push(delivery.frame)
        else:
            sink.end()
    for at, step in pending:
        await _step(recorder, at, step)


async def _step(recorder: Recorder, at: float, step: Step) -> None:
    if isinstance(step, str):
        await getattr(recorder, step)(at=at)
    else:
        step()


def decode_all(path: Path) -> dict[str, list[float]]:
    """Decode every frame of every stream (raising on any error); their times, per kind."""
    times: dict[str, list[float]] = {"audio": [], "video": []}
    with av.open(str(path)) as source:
        for frame in source.decode(*source.streams):
            assert frame.time is not None
            times["video" if isinstance(frame, av.VideoFrame) else "audio"].append(frame.time)
    return times


def flash_times(path: Path, threshold: float = 200.0) -> list[float]:
    """Times of white frames (mean luma above `threshold`) in the file's video."""
    found: list[float] = []
    with av.open(str(path)) as source:
        for frame in source.decode(video=0):
            luma = bytes(frame.planes[0])[::101]
            if sum(luma) / len(luma) > threshold and frame.time is not None:
                if not found or frame.time - found[-1] > 0.5:
                    found.append(frame.time)
    return found


def beep_onsets(
    path: Path, threshold: float = 0.1, window: int = 240, quiet: float = 0.3
) -> list[float]:
    """Times at which the audio's RMS (over `window` samples) exceeds `threshold` after at
    least `quiet` seconds below it."""
    found: list[float] = []
    last_loud = float("-inf")
    with av.open(str(path)) as source:
        for frame in source.decode(audio=0):
            assert frame.time is not None and frame.format.name == "fltp"
            samples = array("f", bytes(frame.planes[0])[: frame.samples * 4])
            for start in range(0, len(samples) - window + 1, window):
                chunk = samples[start : start + window]
                rms = (sum(x * x for x in chunk) / window) ** 0.5
                at = frame.time + start / frame.sample_rate
                if rms > threshold:
                    if at - last_loud > quiet:  # loud after a quiet stretch: a new beep
                        found.append(at)
                    last_loud = at
    return found
