"""What the recorder knows about its files, kept durably next to them.

* ``recordings/journal.jsonl``: one hash-chained entry when a segment opens and
  one when it closes (where it sits on the hearing clock, its streams, how it
  ended). The index and the playback set are built from it.
* ``recordings/<file>.recording``: a marker that exists while a segment is being
  written. A marker left behind after a restart names an unfinished segment,
  which :func:`recording.recover` closes into a valid file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from hearing.chain import ChainedLog

from .webm import StreamSpec

__all__ = ["MARKER_SUFFIX", "Journal", "SegmentRecord", "SegmentStatus"]

MARKER_SUFFIX = ".recording"


class SegmentStatus(StrEnum):
    RECORDING = "recording"
    COMPLETE = "complete"
    FAILED = "failed"
    """A write error ended it: the file holds what was written before the error."""
    RECOVERED = "recovered"
    """Unfinished at a crash; closed into a valid file on restart."""


@dataclass(frozen=True, slots=True)
class SegmentRecord:
    """One file: a participant's uninterrupted stretch of recording."""

    file: str
    """Name in the recordings folder."""
    hearing_id: str
    participant_id: str
    number: int
    start_wall: float
    """Wall-clock time (UNIX seconds) of the file's time 0."""
    offset: float
    """Hearing-clock seconds at the file's time 0."""
    streams: tuple[StreamSpec, ...]
    status: SegmentStatus = SegmentStatus.RECORDING
    end_wall: float | None = None
    reason: str | None = None
    """Why it ended: recess, adjourned, left, idle, tracks_changed, write_error, shutdown."""

    @property
    def duration(self) -> float | None:
        return None if self.end_wall is None else max(0.0, self.end_wall - self.start_wall)

    def closed(self, status: SegmentStatus, end_wall: float, reason: str) -> SegmentRecord:
        return replace(self, status=status, end_wall=end_wall, reason=reason)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "hearing_id": self.hearing_id,
            "participant_id": self.participant_id,
            "number": self.number,
            "start_wall": self.start_wall,
            "offset": self.offset,
            "streams": [s.as_json() for s in self.streams],
            "status": self.status.value,
            "end_wall": self.end_wall,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> SegmentRecord:
        return cls(
            file=str(value["file"]),
            hearing_id=str(value["hearing_id"]),
            participant_id=str(value["participant_id"]),
            number=int(value["number"]),
            start_wall=float(value["start_wall"]),
            offset=float(value["offset"]),
            streams=tuple(StreamSpec.from_json(s) for s in value["streams"]),
            status=SegmentStatus(value["status"]),
            end_wall=None if value.get("end_wall") is None else float(value["end_wall"]),
            reason=value.get("reason"),
        )


def _write_durably(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Journal:
    """The journal and markers of one hearing's recordings folder (blocking: worker threads)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._log = ChainedLog(folder / "journal.jsonl")

    def marker(self, file: str) -> Path:
        return self.folder / (file + MARKER_SUFFIX)

    def opened(self, record: SegmentRecord) -> None:
        """Note a segment being opened: its marker first, then the journal entry."""
        _write_durably(self.marker(record.file), json.dumps(record.as_json()))
        self._log.append({"event": "opened", "segment": record.as_json()})

    def closed(self, record: SegmentRecord) -> None:
        """Note a segment closed (complete, failed or recovered) and drop its marker."""
        self._log.append({"event": "closed", "segment": record.as_json()})
        self.marker(record.file).unlink(missing_ok=True)

    def records(self) -> list[SegmentRecord]:
        """The latest state of every segment ever opened, in order of opening."""
        latest: dict[str, SegmentRecord] = {}
        for entry in self._log.entries():
            record = SegmentRecord.from_json(entry["segment"])
            latest[record.file] = record
        return list(latest.values())

    def unfinished(self) -> list[SegmentRecord]:
        """Segments whose marker is still there: being written, or cut short by a crash."""
        found = []
        for marker in sorted(self.folder.glob("*" + MARKER_SUFFIX)):
            try:
                found.append(SegmentRecord.from_json(json.loads(marker.read_text())))
            except (OSError, ValueError, KeyError) as e:
                raise ValueError(f"unreadable recording marker {marker}: {e}") from e
        return found
