"""After a crash: close the segments the recorder left unfinished into valid files.

A segment whose ``.recording`` marker survives a restart was being written when
the process died. Its file is playable up to its last complete cluster, but has
no index (cues) nor duration, and may end in a torn cluster. :func:`recover`
remuxes every readable packet (no decoding) into a fresh file, keeps the
original byte for byte in ``recordings/crashed/``, notes the segment as
recovered in the journal and records that in the hearing's audit log.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import av
import av.error
from av.stream import Stream

from hearing.audit import AuditLog

from .journal import Journal, SegmentRecord, SegmentStatus
from .webm import MediaFile, read_packets

__all__ = ["RecoveredSegment", "recover"]

log = logging.getLogger(__name__)

CRASHED = "crashed"


@dataclass(frozen=True, slots=True)
class RecoveredSegment:
    """A segment closed by :func:`recover`."""

    record: SegmentRecord
    original: Path | None
    """The file as the crash left it (None if nothing had reached the disk)."""
    packets: int
    duration: float
    """Seconds of the recovered file (its time 0 to its last packet's end)."""


async def recover(hearing_dir: Path, audit: AuditLog) -> list[RecoveredSegment]:
    """Close every unfinished segment of a hearing (in a worker thread); return them."""
    return await asyncio.to_thread(recover_blocking, hearing_dir, audit)


def recover_blocking(hearing_dir: Path, audit: AuditLog) -> list[RecoveredSegment]:
    """:func:`recover` for callers already off the event loop."""
    folder = hearing_dir / "recordings"
    if not folder.is_dir():
        return []
    journal = Journal(folder)
    recovered = []
    for record in journal.unfinished():
        result = _recover_one(folder, record)
        journal.closed(result.record)
        audit.record(
            "recorder",
            "recording_recovered",
            target=record.participant_id,
            details={
                "file": record.file,
                "original": None
                if result.original is None
                else str(result.original.relative_to(folder)),
                "original_sha256": None if result.original is None else _sha256(result.original),
                "packets": result.packets,
                "duration": round(result.duration, 3),
                "hearing_clock": record.offset,
            },
        )
        log.warning(
            "recovered %s: %d packets, %.3f s (original kept in %s/)",
            record.file,
            result.packets,
            result.duration,
            CRASHED,
        )
        recovered.append(result)
    return recovered


def _recover_one(folder: Path, record: SegmentRecord) -> RecoveredSegment:
    path = folder / record.file
    original = folder / CRASHED / record.file
    # A recovery that was itself interrupted has already moved the original aside.
    if path.exists() and not original.exists():
        original.parent.mkdir(exist_ok=True)
        os.replace(path, original)
    if not original.exists():
        closed = record.closed(SegmentStatus.RECOVERED, record.start_wall, "crashed")
        return RecoveredSegment(closed, None, 0, 0.0)
    tmp = folder / (record.file + ".recovering")
    packets, end = _remux(original, tmp, record)
    if packets:
        os.replace(tmp, path)
    else:  # nothing readable: the original (kept) is all there is
        tmp.unlink(missing_ok=True)
    closed = record.closed(SegmentStatus.RECOVERED, record.start_wall + end, "crashed")
    return RecoveredSegment(closed, original, packets, end)


def _remux(source_path: Path, target: Path, record: SegmentRecord) -> tuple[int, float]:
    """Copy every readable packet into a finished file; return (packets, end in seconds)."""
    packets, end = 0, 0
    last: dict[str, int] = {}
    try:
        source = av.open(str(source_path))
    except (av.error.FFmpegError, OSError) as e:  # torn before its header was complete
        log.warning("%s has no readable header: %s", source_path.name, e)
        return 0, 0.0
    with source:
        templates: dict[str, Stream] = {
            s.type: s for s in source.streams if s.type in ("audio", "video")
        }
        specs = [spec for spec in record.streams if spec.kind in templates]
        output = MediaFile(
            target,
            specs,
            cluster_seconds=1.0,
            metadata=dict(source.metadata),
            templates=templates,
        )
        try:
            for packet in read_packets(source):
                if packet.kind not in last and packet.kind == "video" and not packet.keyframe:
                    continue
                if packet.pts <= last.get(packet.kind, -1):
                    continue
                output.write(
                    packet.kind,
                    packet.data,
                    packet.pts,
                    duration=packet.duration,
                    keyframe=packet.keyframe,
                )
                last[packet.kind] = packet.pts
                packets += 1
                end = max(end, packet.pts + packet.duration)
        except BaseException:
            output.abort()
            raise
        output.close()
    return packets, end / 1000


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
