"""Recording benchmark: CPU per recorded 640x480@30 VP8+Opus stream, ours against aiortc's.

    python -m bench.recording [--quick] [--streams N] [--seconds S]

The same input, paced at real time, is recorded twice in one run:

- ours: the encoded VP8 and Opus frames, as the media node hands them over, muxed
  as received into WebM by :class:`recording.Recorder` (no decoding, no encoding);
- baseline: aiortc's ``MediaRecorder`` fed the decoded frames of the same input
  (what it gets from a receiving track), which it re-encodes to VP8 and Opus.

CPU is the process's (all threads) over the recording, divided by the number of
streams; ours includes feeding the frames in (``feed_cpu_per_stream``, measured
alone in the same run, is most of it). Every file is decoded afterwards to check
it plays. The last line printed is one JSON object: streams, cpu_per_stream,
baseline_cpu_per_stream, ratio (target >= 10), all_files_playable.
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
from aiortc.contrib.media import MediaRecorder
from aiortc.mediastreams import MediaStreamTrack

from media.tap import MediaPacket, TrackInfo
from recording import Recorder, RecordingSink

FPS = 30
SIZE = (640, 480)
CLIP_SECONDS = 4  # the input loops; it starts on a key frame each time


@dataclass(frozen=True)
class Input:
    video: list[tuple[bytes, bool]]
    """Encoded VP8 frames, one per 1/30 s."""
    audio: list[bytes]
    """Encoded Opus packets, one per 20 ms."""
    video_frames: list[av.VideoFrame]
    audio_frames: list[av.AudioFrame]


def make_input() -> Input:
    """A moving test picture and a tone, encoded as a browser would, and decoded again."""
    source = av.open(
        f"testsrc2=s={SIZE[0]}x{SIZE[1]}:r={FPS}:d={CLIP_SECONDS},format=yuv420p", format="lavfi"
    )
    vp8 = av.CodecContext.create("libvpx", "w")
    assert isinstance(vp8, av.VideoCodecContext)
    vp8.width, vp8.height, vp8.pix_fmt = *SIZE, "yuv420p"
    vp8.time_base = fractions.Fraction(1, FPS)
    vp8.bit_rate = 1_000_000
    vp8.gop_size = FPS * CLIP_SECONDS
    vp8.thread_count = 1
    vp8.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    video: list[tuple[bytes, bool]] = []
    with source:
        for n, frame in enumerate(source.decode(video=0)):
            frame.pts, frame.time_base = n, vp8.time_base
            frame.pict_type = av.video.frame.PictureType.NONE
            video += [(bytes(p), p.is_keyframe) for p in vp8.encode(frame)]
    video += [(bytes(p), p.is_keyframe) for p in vp8.encode(None)]
    tone = av.open(
        f"sine=f=440:r=48000:d={CLIP_SECONDS},aformat=sample_fmts=s16:channel_layouts=mono",
        format="lavfi",
    )
    opus = av.CodecContext.create("libopus", "w")
    assert isinstance(opus, av.AudioCodecContext)
    opus.sample_rate, opus.layout, opus.format = 48000, "mono", "s16"
    opus.bit_rate = 32000
    audio: list[bytes] = []
    with tone:
        for samples in tone.decode(audio=0):
            audio += [bytes(p) for p in opus.encode(samples)]
    audio += [bytes(p) for p in opus.encode(None)]
    # What a receiving aiortc track would yield: the decoded frames.
    vp8_decoder = av.CodecContext.create("vp8", "r")
    assert isinstance(vp8_decoder, av.VideoCodecContext)
    video_frames = [f for data, _ in video for f in vp8_decoder.decode(av.Packet(data))]
    opus_decoder = av.CodecContext.create("opus", "r")
    assert isinstance(opus_decoder, av.AudioCodecContext)
    audio_frames = [f for data in audio for f in opus_decoder.decode(av.Packet(data))]
    return Input(video, audio, video_frames, audio_frames)


def _schedule(seconds: float) -> list[tuple[float, str, int]]:
    """(time, kind, frame index) of every frame of a stream, in time order."""
    events = [(n / FPS, "video", n) for n in range(int(seconds * FPS))]
    events += [(n * 0.02, "audio", n) for n in range(int(seconds * 50))]
    return sorted(events)


class _Discard:
    """A sink that drops everything: what feeding the frames costs by itself."""

    def push(self, packet: MediaPacket) -> None:
        pass

    def end(self) -> None:
        pass


async def _feed(media: Input, sinks: list[dict[str, Any]], seconds: float) -> None:
    """Push every stream's frames at real time, as the node's receivers would."""
    loop = asyncio.get_running_loop()
    origin = loop.time()
    for at, kind, n in _schedule(seconds):
        delay = origin + at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if kind == "video":
            data, keyframe = media.video[n % len(media.video)]
            pts, rate = n * (90000 // FPS), 90000
        else:
            data, keyframe = media.audio[n % len(media.audio)], True
            pts, rate = n * 960, 48000
        for pair in sinks:
            packet = av.Packet(data)
            packet.pts = pts
            packet.time_base = fractions.Fraction(1, rate)
            pair[kind].push(MediaPacket(packet, keyframe, time.time()))


async def feed_only(media: Input, streams: int, seconds: float) -> float:
    """CPU seconds of feeding the frames to sinks that do nothing."""
    cpu = time.process_time()
    await _feed(media, [{"audio": _Discard(), "video": _Discard()}] * streams, seconds)
    return time.process_time() - cpu


async def record_ours(media: Input, streams: int, seconds: float, folder: Path) -> float:
    """Record `streams` publishers through our recorder for `seconds`; CPU seconds used
    (feeding the frames included)."""
    recorder = Recorder(folder, "bench")
    began = time.time()
    await recorder.start(at=began)
    sinks: list[dict[str, Any]] = []
    for i in range(streams):
        pair: dict[str, RecordingSink] = {}
        tracks = (
            TrackInfo("bench", f"p{i}", "audio", "opus", 48000, began),
            TrackInfo("bench", f"p{i}", "video", "VP8", 90000, began),
        )
        for track in tracks:
            sink = recorder.track_started(track)
            assert sink is not None
            pair[track.kind] = sink
        sinks.append(pair)
    cpu = time.process_time()
    await _feed(media, sinks, seconds)
    await recorder.stop()
    await recorder.aclose()
    return time.process_time() - cpu


class _Replay(MediaStreamTrack):
    """A receiving track's output: decoded frames, paced at real time."""

    def __init__(self, kind: str, frames: list[Any], rate: int, step: int) -> None:
        super().__init__()
        self.kind = kind
        self._frames = frames
        self._rate, self._step = rate, step
        self._n = 0
        self._origin: float | None = None

    async def recv(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._origin is None:
            self._origin = loop.time()
        # Always yield, as a real track does: a recorder that falls behind real time
        # would otherwise never let the other recorders (or the clock) run.
        await asyncio.sleep(
            max(0.0, self._origin + self._n * self._step / self._rate - loop.time())
        )
        frame = self._frames[self._n % len(self._frames)]
        frame.pts = self._n * self._step
        frame.time_base = fractions.Fraction(1, self._rate)
        self._n += 1
        return frame

    @property
    def delivered(self) -> int:
        return self._n


async def record_baseline(
    media: Input, streams: int, seconds: float, folder: Path
) -> tuple[float, float]:
    """The same with aiortc's MediaRecorder; (CPU seconds, share of frames it kept up with)."""
    recorders, videos = [], []
    for i in range(streams):
        recorder = MediaRecorder(str(folder / f"baseline_{i}.webm"))
        video = _Replay("video", media.video_frames, 90000, 90000 // FPS)
        # Video first: MediaRecorder sizes its encoder from the first video frame, and
        # fails if an audio packet made it write the header before that.
        recorder.addTrack(video)
        recorder.addTrack(_Replay("audio", media.audio_frames, 48000, 960))
        recorders.append(recorder)
        videos.append(video)
    cpu = time.process_time()
    for recorder in recorders:
        await recorder.start()
    await asyncio.sleep(seconds)
    for recorder in recorders:
        await recorder.stop()
    used = time.process_time() - cpu
    await asyncio.sleep(0.1)  # let the recorder's cancelled tasks finish
    kept_up = sum(v.delivered for v in videos) / (streams * seconds * FPS)
    return used, kept_up


def playable(path: Path) -> bool:
    """Whether every frame of every stream decodes, and there are some."""
    try:
        with av.open(str(path)) as source:
            frames = sum(1 for _ in source.decode(*source.streams))
    except av.error.FFmpegError:
        return False
    return frames > 0


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 streams, 8 s each (< 60 s)")
    parser.add_argument("--streams", type=int)
    parser.add_argument("--seconds", type=float)
    args = parser.parse_args()
    streams = args.streams or (2 if args.quick else 4)
    seconds = args.seconds or (8.0 if args.quick else 30.0)

    media = make_input()
    with tempfile.TemporaryDirectory(prefix="bench-recording-") as tmp:
        ours_dir, baseline_dir = Path(tmp) / "ours", Path(tmp) / "baseline"
        ours_dir.mkdir()
        baseline_dir.mkdir()
        feed = await feed_only(media, streams, seconds)
        ours = await record_ours(media, streams, seconds, ours_dir)
        baseline, kept_up = await record_baseline(media, streams, seconds, baseline_dir)
        ours_files = sorted((ours_dir / "recordings").glob("*.webm"))
        baseline_files = sorted(baseline_dir.glob("*.webm"))
        ok = len(ours_files) == streams and all(playable(p) for p in ours_files)
        baseline_ok = all(playable(p) for p in baseline_files)
        print(f"ours: {len(ours_files)} files, {ours:.2f} CPU s over {seconds:g} s")
        print(f"feeding the frames alone: {feed:.2f} CPU s (included in ours)")
        print(f"baseline: {baseline:.2f} CPU s, kept up with {kept_up:.0%} of the frames")

    cpu_per_stream = ours / seconds / streams
    baseline_per_stream = baseline / seconds / streams
    result = {
        "streams": streams,
        "seconds": seconds,
        "cpu_per_stream": round(cpu_per_stream, 4),
        "feed_cpu_per_stream": round(feed / seconds / streams, 4),
        "baseline_cpu_per_stream": round(baseline_per_stream, 4),
        "ratio": round(baseline_per_stream / cpu_per_stream, 1),
        "baseline_kept_up": round(kept_up, 3),
        "baseline_files_playable": baseline_ok,
        "all_files_playable": ok,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
