"""WebM/Matroska files written and read with PyAV, with no codec work at all.

Encoded frames go into the file exactly as received. WebM allows VP8 and Opus
but not H.264, so a file with an H.264 stream is plain Matroska (``.mkv``): the
same container, so everything here treats both alike.

Crash safety comes from the muxer's own structure: Matroska writes a cluster
(a self-contained group of blocks) once it is complete, so clusters are kept
short (``cluster_time_limit``), every write is flushed to the file
(``flush_packets``), and the muxer's interleaving queue may hold packets for at
most half a second (``max_interleave_delta``). A file cut anywhere then still
demuxes and decodes up to its last complete cluster. The muxer's ``live`` mode is
not used: it would leave even cleanly closed files without cues (an index) or a
duration, while a file cut by a crash is the same either way (its segment size is
"unknown" until the trailer) and :func:`recording.recover` remuxes it.

An H.264 file's header needs the stream's parameter sets, so it is written when
the first (key) frame arrives; the recorder only opens such a file with a key
frame in hand.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error
from av.audio.stream import AudioStream
from av.container import InputContainer, OutputContainer
from av.stream import Stream

from .bitstream import opus_head

__all__ = [
    "TIME_BASE",
    "MediaFile",
    "PacketCopy",
    "StreamSpec",
    "file_format",
    "probe_duration",
    "read_packets",
    "supported",
]

log = logging.getLogger(__name__)

TIME_BASE = Fraction(1, 1000)
"""Matroska's timestamp unit (TimestampScale of 1 ms); every pts written is in it."""

_SUPPORTED = {("audio", "opus"), ("video", "VP8"), ("video", "H264")}
_MUXER_CODEC = {"opus": "opus", "VP8": "vp8", "H264": "h264"}
_READ_ERRORS = (av.error.FFmpegError, OSError, EOFError)


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """One stream of a recording file: what the track sends, and the picture size it stated."""

    kind: str
    codec: str
    clock_rate: int
    width: int | None = None
    height: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "codec": self.codec,
            "clock_rate": self.clock_rate,
            "width": self.width,
            "height": self.height,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> StreamSpec:
        return cls(
            kind=str(value["kind"]),
            codec=str(value["codec"]),
            clock_rate=int(value["clock_rate"]),
            width=value.get("width"),
            height=value.get("height"),
        )


def supported(kind: str, codec: str) -> bool:
    """Whether a track of this kind and codec can be recorded as received."""
    return (kind, codec) in _SUPPORTED


def file_format(specs: Sequence[StreamSpec]) -> tuple[str, str]:
    """The muxer name and file suffix for these streams: WebM unless H.264 forces Matroska."""
    if any(spec.codec == "H264" for spec in specs):
        return "matroska", ".mkv"
    return "webm", ".webm"


def _opus_stream(output: OutputContainer) -> AudioStream:
    # A stream with a codec context that is never opened: PyAV only opens contexts of
    # streams made with add_stream(), so one is copied from a throwaway container.
    # This is the one way to give the stream its OpusHead without running an encoder.
    scratch = av.open(io.BytesIO(), "w", format="matroska")
    try:
        template = scratch.add_stream("libopus", rate=48000)
        stream = output.add_stream_from_template(template, opaque=True)
    finally:
        scratch.close()
    context = stream.codec_context
    context.sample_rate = 48000
    context.layout = "stereo"  # WebRTC's opus/48000/2; mono packets decode to both channels
    context.extradata = opus_head(channels=2)
    return stream


class MediaFile:
    """One open output file: streams declared up front, then encoded packets with ms pts."""

    def __init__(
        self,
        path: Path,
        specs: Sequence[StreamSpec],
        *,
        cluster_seconds: float,
        metadata: Mapping[str, str] | None = None,
        templates: Mapping[str, Stream] | None = None,
    ) -> None:
        """`templates`: streams of an existing file to copy parameters from, per kind."""
        self.path = path
        self.specs = tuple(specs)
        fmt, _ = file_format(specs)
        options = {
            "cluster_time_limit": str(max(1, round(cluster_seconds * 1000))),
            "cluster_size_limit": str(4 * 1024 * 1024),
            "flush_packets": "1",
            "max_interleave_delta": "500000",  # µs
        }
        self._container: OutputContainer | None = av.open(
            str(path), "w", format=fmt, options=options
        )
        try:
            self._container.metadata.update(metadata or {})
            self._streams: dict[str, Stream] = {}
            for spec in specs:
                template = (templates or {}).get(spec.kind)
                self._streams[spec.kind] = self._add(spec, template)
            # The header now, so the file is valid from here on; except that H.264's
            # parameter sets (CodecPrivate) come from its first key frame, so PyAV holds
            # the header (and what is muxed meanwhile) back until then.
            if not any(s.codec == "H264" and s.kind not in (templates or {}) for s in specs):
                self._container.start_encoding()
        except BaseException:
            self.abort()
            raise

    def _add(self, spec: StreamSpec, template: Stream | None) -> Stream:
        assert self._container is not None
        stream: Stream
        if not supported(spec.kind, spec.codec):
            raise ValueError(f"cannot record {spec.kind} in {spec.codec}")
        if template is not None:  # remuxing: parameters (and CodecPrivate) as they were
            stream = self._container.add_stream_from_template(template, opaque=True)
        elif spec.kind == "audio":
            stream = _opus_stream(self._container)
        else:
            if not spec.width or not spec.height:
                raise ValueError("a video stream needs the dimensions its key frame states")
            # H.264 parameter sets become CodecPrivate from the first (key) frame.
            stream = self._container.add_mux_stream(
                _MUXER_CODEC[spec.codec], width=spec.width, height=spec.height
            )
        stream.time_base = TIME_BASE
        return stream

    def write(
        self, kind: str, data: bytes, pts: int, *, duration: int = 0, keyframe: bool = False
    ) -> None:
        """Mux one encoded frame at `pts` milliseconds (strictly increasing per stream)."""
        if self._container is None:
            raise ValueError(f"{self.path.name} is closed")
        packet = av.Packet(data)
        packet.stream = self._streams[kind]
        packet.time_base = TIME_BASE
        packet.pts = packet.dts = pts
        if duration:
            packet.duration = duration
        packet.is_keyframe = keyframe
        self._container.mux_one(packet)

    def close(self) -> None:
        """Write the trailer (cues, duration) and make the file durable."""
        container, self._container = self._container, None
        if container is None:
            return
        container.close()
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def abort(self) -> None:
        """Close after a failure, keeping whatever reached the file; never raises."""
        container, self._container = self._container, None
        if container is None:
            return
        try:
            container.close()
        except Exception as e:  # the write error itself has been reported already
            log.debug("closing %s after a failure: %s", self.path.name, e)


@dataclass(frozen=True, slots=True)
class PacketCopy:
    """A demuxed packet of a recording file, with its pts in ms on the file's timeline."""

    kind: str
    data: bytes
    pts: int
    duration: int
    keyframe: bool


def read_packets(source: InputContainer) -> Iterator[PacketCopy]:
    """Every packet of a (possibly truncated) recording file, stopping quietly at damage."""
    streams = [s for s in source.streams if s.type in ("audio", "video")]
    iterator = source.demux(*streams)
    while True:
        try:
            packet = next(iterator)
        except StopIteration:
            return
        except _READ_ERRORS as e:
            log.info("%s: reading stopped at damage: %s", source.name, e)
            return
        if packet.pts is None or packet.size == 0 or packet.time_base is None:
            continue
        scale = packet.time_base / TIME_BASE
        yield PacketCopy(
            kind=packet.stream.type,
            data=bytes(packet),
            pts=round(packet.pts * scale),
            duration=round((packet.duration or 0) * scale),
            keyframe=packet.is_keyframe,
        )


def probe_duration(path: Path) -> float:
    """Seconds from the file's time 0 to the end of its last packet (demuxing, not decoding)."""
    end = 0
    with av.open(str(path)) as source:
        for packet in read_packets(source):
            end = max(end, packet.pts + packet.duration)
    return end / 1000
