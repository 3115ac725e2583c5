"""After adjournment, off the live path: files people can simply play, and an index of all.

* per participant, one file with all their segments placed on the hearing clock
  (remuxed, not re-encoded: a recess is a gap in it);
* one audio mixdown of every participant (decoded, mixed aligned on the hearing
  clock by FFmpeg's ``aresample``/``amix``, encoded to Opus);
* ``recordings/index.json``: every file with its hearing-clock offset, duration,
  size and SHA-256 (see :mod:`recording.index`).

The segment files themselves stay the record; these are conveniences.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error
from av.audio.frame import AudioFrame
from av.filter import Graph
from av.stream import Stream

from hearing.errors import Conflict

from .index import IndexedFile, write_index
from .journal import Journal, SegmentRecord, SegmentStatus
from .segment import file_stem
from .webm import MediaFile, StreamSpec, file_format, read_packets

__all__ = ["PlaybackSet", "make_playback_set", "make_playback_set_blocking"]

log = logging.getLogger(__name__)

PLAYBACK = "playback"
_RATE = 48000
_PLAYABLE = (SegmentStatus.COMPLETE, SegmentStatus.RECOVERED, SegmentStatus.FAILED)


@dataclass(frozen=True, slots=True)
class PlaybackSet:
    """What :func:`make_playback_set` made."""

    participants: Mapping[str, Path]
    """Per participant: all their segments on the hearing clock, in one file."""
    mixdown: Path | None
    """Every participant's audio mixed on the hearing clock (None if nobody had audio)."""
    index: Path
    files: tuple[IndexedFile, ...]


async def make_playback_set(hearing_dir: Path) -> PlaybackSet:
    """Make the playback set and index of a hearing whose recording has stopped (in a thread)."""
    return await asyncio.to_thread(make_playback_set_blocking, hearing_dir)


def make_playback_set_blocking(hearing_dir: Path) -> PlaybackSet:
    """:func:`make_playback_set` for callers already off the event loop."""
    folder = hearing_dir / "recordings"
    journal = Journal(folder)
    unfinished = journal.unfinished()
    if unfinished:
        raise Conflict(
            f"{len(unfinished)} recording segment(s) are unfinished "
            f"({', '.join(r.file for r in unfinished)}): stop the recording, or run "
            "recording.recover() after a crash, before making the playback set",
            details={"files": [r.file for r in unfinished]},
        )
    records = [
        r for r in journal.records() if r.status in _PLAYABLE and (folder / r.file).is_file()
    ]
    out = folder / PLAYBACK
    out.mkdir(exist_ok=True)
    by_participant: dict[str, list[SegmentRecord]] = {}
    for record in sorted(records, key=lambda r: r.offset):
        by_participant.setdefault(record.participant_id, []).append(record)
    participants: dict[str, Path] = {}
    for participant_id, segments in by_participant.items():
        path = _participant_file(folder, out, segments)
        if path is not None:
            participants[participant_id] = path
    hearing_id = records[0].hearing_id if records else hearing_dir.name
    mixdown = _mixdown(
        [p for p in participants.values() if _has_audio(p)],
        out / f"{file_stem(hearing_id)}_mixdown.webm",
    )
    files = write_index(folder, hearing_id, records, participants, mixdown)
    return PlaybackSet(participants, mixdown, folder / "index.json", files)


def _participant_file(folder: Path, out: Path, segments: list[SegmentRecord]) -> Path | None:
    """Remux a participant's segments, each at its hearing-clock offset, into one file."""
    specs: dict[str, StreamSpec] = {}
    for record in segments:
        for spec in record.streams:
            specs.setdefault(spec.kind, spec)
    if not specs:
        return None
    first = segments[0]
    _, suffix = file_format(list(specs.values()))
    path = out / f"{file_stem(first.hearing_id, first.participant_id)}_all{suffix}"
    sources = [av.open(str(folder / r.file)) for r in segments]
    try:
        templates: dict[str, Stream] = {}
        for source, record in zip(sources, segments, strict=True):
            codecs = {spec.kind: spec.codec for spec in record.streams}
            for stream in source.streams:
                kind: str = stream.type
                if (
                    kind in specs
                    and kind not in templates
                    and codecs.get(kind) == specs[kind].codec
                ):
                    templates[kind] = stream
        output = MediaFile(
            path,
            [specs[k] for k in sorted(templates)],
            cluster_seconds=1.0,
            metadata={"title": f"{first.hearing_id} / {first.participant_id}"},
            templates=templates,
        )
        try:
            last: dict[str, int] = {}
            for source, record in zip(sources, segments, strict=True):
                shift = round(record.offset * 1000)
                codecs = {s.kind: s.codec for s in record.streams}
                started: set[str] = set()
                for packet in read_packets(source):
                    kind = packet.kind
                    if kind not in templates or codecs.get(kind) != specs[kind].codec:
                        continue  # a later segment in another codec cannot join this stream
                    if kind == "video" and kind not in started and not packet.keyframe:
                        continue
                    started.add(kind)
                    pts = max(shift + packet.pts, last.get(kind, -1) + 1)
                    output.write(
                        kind, packet.data, pts, duration=packet.duration, keyframe=packet.keyframe
                    )
                    last[kind] = pts
        except BaseException:
            output.abort()
            raise
        output.close()
    finally:
        for source in sources:
            source.close()
    return path


def _has_audio(path: Path) -> bool:
    with av.open(str(path)) as source:
        return bool(source.streams.audio)


def _decoded(index: int, path: Path) -> Iterator[tuple[float, int, int, AudioFrame]]:
    """(hearing-clock seconds, source index, frame) for every audio frame of a playback file."""
    with av.open(str(path)) as source:
        try:
            for n, frame in enumerate(source.decode(source.streams.audio[0])):
                if frame.pts is None or frame.time is None:
                    continue
                at = frame.time
                frame.pts = round(at * _RATE)
                frame.time_base = Fraction(1, _RATE)
                yield at, index, n, frame
        except av.error.FFmpegError as e:
            log.warning("mixdown: %s stops early: %s", path.name, e)


def _mixdown(paths: list[Path], target: Path) -> Path | None:
    """Decode every participant's audio and mix it, aligned on the hearing clock, into Opus."""
    if not paths:
        return None
    graph = Graph()
    inputs = []
    mix = graph.add("amix", f"inputs={len(paths)}:duration=longest:normalize=0")
    for i in range(len(paths)):
        source = graph.add_abuffer(
            sample_rate=_RATE, format="fltp", layout="stereo", time_base=Fraction(1, _RATE)
        )
        # Fills gaps (recess, silence between segments) and the start with silence, so
        # every input runs on the hearing clock from 0.
        align = graph.add("aresample", "async=1:min_hard_comp=0.02:first_pts=0")
        source.link_to(align)
        align.link_to(mix, 0, i)
        inputs.append(source)
    to_mono = graph.add("aformat", "sample_fmts=s16:sample_rates=48000:channel_layouts=mono")
    mix.link_to(to_mono)
    sink = graph.add("abuffersink")
    to_mono.link_to(sink)
    graph.configure()

    with av.open(str(target), "w", format="webm") as output:
        stream = output.add_stream("libopus", rate=_RATE)
        stream.layout = "mono"
        stream.bit_rate = 48000

        def drain() -> bool:
            while True:
                try:
                    frame = sink.pull()
                except av.error.BlockingIOError:
                    return False
                except EOFError:
                    return True
                assert isinstance(frame, AudioFrame)
                output.mux(stream.encode(frame))

        for _, i, _, frame in heapq.merge(*(_decoded(i, p) for i, p in enumerate(paths))):
            inputs[i].push(frame)
            drain()
        for source in inputs:
            source.push(None)
        drain()
        output.mux(stream.encode(None))
    return target
