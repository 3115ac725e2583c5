"""``recordings/index.json``: every recording file, where it sits on the hearing clock, its hash.

Blocking (hashing reads every byte): called from a worker thread by
:func:`recording.make_playback_set`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from .journal import SegmentRecord
from .webm import StreamSpec, probe_duration

__all__ = ["FileRole", "IndexedFile", "sha256_file", "write_index"]

_CHUNK = 1 << 20


class FileRole(StrEnum):
    SEGMENT = "segment"
    """As recorded: one participant, one uninterrupted stretch (the record itself)."""
    CRASHED_ORIGINAL = "crashed_original"
    """A segment as a crash left it, kept beside its recovered copy."""
    PARTICIPANT = "participant"
    """Playback: all of a participant's segments on the hearing clock."""
    MIXDOWN = "mixdown"
    """Playback: everyone's audio mixed on the hearing clock."""


@dataclass(frozen=True, slots=True)
class IndexedFile:
    """One entry of the index."""

    file: str
    """Path relative to the recordings folder."""
    role: FileRole
    offset: float
    """Hearing-clock seconds at the file's time 0."""
    duration: float
    size: int
    sha256: str
    participant_id: str | None = None
    segment: int | None = None
    status: str | None = None
    streams: tuple[StreamSpec, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "role": self.role.value,
            "participant_id": self.participant_id,
            "segment": self.segment,
            "status": self.status,
            "offset": round(self.offset, 3),
            "duration": round(self.duration, 3),
            "size": self.size,
            "sha256": self.sha256,
            "streams": [s.as_json() for s in self.streams],
        }


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _entry(
    folder: Path, path: Path, role: FileRole, offset: float, record: SegmentRecord | None = None
) -> IndexedFile:
    return IndexedFile(
        file=str(path.relative_to(folder)),
        role=role,
        offset=offset,
        duration=probe_duration(path),
        size=path.stat().st_size,
        sha256=sha256_file(path),
        participant_id=None if record is None else record.participant_id,
        segment=None if record is None else record.number,
        status=None if record is None else record.status.value,
        streams=() if record is None else record.streams,
    )


def write_index(
    folder: Path,
    hearing_id: str,
    records: Sequence[SegmentRecord],
    participants: Mapping[str, Path],
    mixdown: Path | None,
) -> tuple[IndexedFile, ...]:
    """Describe every file, write ``index.json`` durably, return the entries."""
    files: list[IndexedFile] = []
    for record in records:
        files.append(_entry(folder, folder / record.file, FileRole.SEGMENT, record.offset, record))
        crashed = folder / "crashed" / record.file
        if crashed.is_file():
            files.append(_entry(folder, crashed, FileRole.CRASHED_ORIGINAL, record.offset, record))
    for participant_id, path in sorted(participants.items()):
        entry = _entry(folder, path, FileRole.PARTICIPANT, 0.0)
        files.append(replace(entry, participant_id=participant_id))
    if mixdown is not None:
        files.append(_entry(folder, mixdown, FileRole.MIXDOWN, 0.0))
    document = {
        "hearing_id": hearing_id,
        "generated_at": datetime.now(UTC).isoformat(),
        "clock": "offset: hearing-clock seconds (time in session) at each file's time 0",
        "files": [f.as_json() for f in files],
    }
    path = folder / "index.json"
    tmp = folder / "index.json.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=2, ensure_ascii=False)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return tuple(files)
