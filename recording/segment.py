"""A segment: one participant's file for one uninterrupted stretch of the hearing.

A participant's audio and video share one file (two streams): any player then keeps
them in step with no index or tooling, and their alignment (within 40 ms) depends
only on the timestamps written, never on how files are later combined.

Frames come in with wall-clock times (from :mod:`recording.timeline`) and are
written at ``wall - start_wall`` on the file's timeline, in milliseconds, so a
file's time 0 is a known instant on the hearing clock (its ``offset``) and
every participant's files line up when placed at their offsets.

A segment ends at a recess or adjournment, when the participant leaves or
reconnects (their tracks end, or a new track replaces one), when they start a
track the file has no stream for (camera switched on later), when nothing has
arrived from them for a while (the file is then closed, hence safe), and on a
write error. A judge muting someone does not end a segment: the mute is in the
audit log, and the file simply has no sound while it lasts.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from .bitstream import opus_duration
from .journal import SegmentRecord, SegmentStatus
from .webm import MediaFile, StreamSpec, file_format

__all__ = ["Segment", "file_stem", "segment_file_name", "segment_prefix"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe(name: str) -> str:
    return _UNSAFE.sub("-", name).strip(".-") or "x"


def segment_file_name(
    hearing_id: str, participant_id: str, number: int, specs: tuple[StreamSpec, ...]
) -> str:
    """``<hearing>_<participant>_s003.webm`` (``.mkv`` when it holds H.264)."""
    _, suffix = file_format(specs)
    return f"{segment_prefix(hearing_id, participant_id)}{number:03d}{suffix}"


def file_stem(hearing_id: str, participant_id: str | None = None) -> str:
    """``<hearing>`` or ``<hearing>_<participant>``, safe as a file name."""
    if participant_id is None:
        return _safe(hearing_id)
    return f"{_safe(hearing_id)}_{_safe(participant_id)}"


def segment_prefix(hearing_id: str, participant_id: str) -> str:
    return file_stem(hearing_id, participant_id) + "_s"


class Segment:
    """An open segment file; used by the writer thread only."""

    def __init__(self, record: SegmentRecord, folder: Path, *, cluster_seconds: float) -> None:
        self.record = record
        started = datetime.fromtimestamp(record.start_wall, UTC)
        self._file = MediaFile(
            folder / record.file,
            record.streams,
            cluster_seconds=cluster_seconds,
            metadata={
                "title": f"{record.hearing_id} / {record.participant_id} / segment {record.number}",
                "creation_time": started.isoformat(timespec="milliseconds"),
                "hearing_id": record.hearing_id,
                "participant_id": record.participant_id,
                "hearing_clock_offset": f"{record.offset:.3f}",
            },
        )
        self._kinds = {spec.kind for spec in record.streams}
        self._last_pts: dict[str, int] = {}
        self.end_wall = record.start_wall
        """Wall-clock end of the last frame written."""
        self.packets = 0
        self.skipped = 0
        """Frames not written: before the first video key frame, or before the file's start."""

    def has(self, kind: str) -> bool:
        return kind in self._kinds

    @property
    def awaiting_keyframe(self) -> bool:
        """Whether the video stream is still waiting for a key frame to start on."""
        return "video" in self._kinds and "video" not in self._last_pts

    def write(self, kind: str, data: bytes, wall: float, keyframe: bool) -> bool:
        """Write one frame at its wall-clock time; False if it was skipped."""
        pts = round((wall - self.record.start_wall) * 1000)
        last = self._last_pts.get(kind)
        if kind == "video" and last is None:
            if not keyframe:  # a decoder cannot start on an inter frame
                self.skipped += 1
                return False
            pts = max(pts, 0)
        if pts < 0:  # from before the file's start (before the hearing resumed)
            self.skipped += 1
            return False
        if last is not None and pts <= last:
            pts = last + 1  # Matroska wants increasing timestamps; 1 ms is the unit
        duration = 0
        if kind == "audio":
            duration = max(1, round(opus_duration(data) / 48))
        self._file.write(kind, data, pts, duration=duration, keyframe=keyframe)
        self._last_pts[kind] = pts
        self.packets += 1
        self.end_wall = max(self.end_wall, self.record.start_wall + (pts + duration) / 1000)
        return True

    def close(self, reason: str, end_wall: float | None = None) -> SegmentRecord:
        """Finish the file (trailer, fsync); return its closed record."""
        self._file.close()
        end = self.end_wall if end_wall is None else max(end_wall, self.record.start_wall)
        return self.record.closed(SegmentStatus.COMPLETE, end, reason)

    def abort(self) -> SegmentRecord:
        """Give up on the file after a write error, keeping what reached it."""
        self._file.abort()
        return self.record.closed(SegmentStatus.FAILED, self.end_wall, "write_error")
