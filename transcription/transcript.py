"""The durable transcript: final segments and later corrections in `transcript.jsonl`.

Every entry is hash-chained (hearing.chain.ChainedLog) and fsynced before `append`
returns, so a segment is on disk before anyone is shown it. A correction is a new
entry that names the segment it corrects; the original is never overwritten, and
readers see both the original text and the current one.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from hearing.chain import ChainedLog
from hearing.errors import InvalidInput, NotFound, Reason

from .segment import Segment

__all__ = ["Correction", "TranscriptEntry", "TranscriptLog", "read_transcript"]

TRANSCRIPT_FILE = "transcript.jsonl"
_SEGMENT = "segment"
_CORRECTION = "correction"


class Correction(BaseModel):
    """A later change to a segment's text, by whom and when (the original stays)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int
    corrects: int
    text: str
    by: str
    time: datetime


class TranscriptEntry(BaseModel):
    """A stored segment with its place in the log and every correction made to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int
    time: datetime
    segment: Segment
    corrections: tuple[Correction, ...] = ()

    @property
    def text(self) -> str:
        """The current text: the latest correction's, or the recognised text."""
        return self.corrections[-1].text if self.corrections else self.segment.text

    @property
    def original_text(self) -> str:
        return self.segment.text

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)


class TranscriptLog:
    """The transcript of one hearing, kept in `<hearing dir>/transcript.jsonl`.

    The async methods do their file work in a worker thread; `append` returns only once
    the entry is flushed and fsynced.
    """

    def __init__(self, hearing_dir: Path) -> None:
        self._log = ChainedLog(hearing_dir / TRANSCRIPT_FILE)
        # ChainedLog serialises writers with a file lock; this orders our own threads too,
        # so a correction's check-then-append cannot interleave with another write.
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self._log.path

    async def append(self, segment: Segment) -> TranscriptEntry:
        """Durably append a final segment; return it with its sequence number."""
        return await asyncio.to_thread(self._append, segment)

    async def correct(self, segment_seq: int, new_text: str, by: str) -> Correction:
        """Record that segment `segment_seq` should read `new_text` (the original is kept)."""
        return await asyncio.to_thread(self._correct, segment_seq, new_text, by)

    async def entries(self) -> list[TranscriptEntry]:
        """Every segment, ordered by start time across speakers, corrections applied."""
        return await asyncio.to_thread(read_transcript, self.path)

    async def verify(self) -> int:
        """Verify the hash chain (hearing.chain.ChainError if broken); return its length."""
        return (await asyncio.to_thread(self._log.verify)).seq

    def _append(self, segment: Segment) -> TranscriptEntry:
        with self._lock:
            stored = self._log.append(
                {"action": _SEGMENT, "time": _now(), "segment": segment.model_dump(mode="json")}
            )
        return TranscriptEntry(seq=stored["seq"], time=_time(stored), segment=segment)

    def _correct(self, segment_seq: int, new_text: str, by: str) -> Correction:
        text = " ".join(new_text.split())
        if not by.strip():
            raise InvalidInput("a correction must say who made it", details={"by": by})
        with self._lock:
            kinds = {e.get("seq"): e.get("action") for e in self._log.entries()}
            if kinds.get(segment_seq) != _SEGMENT:
                raise NotFound(
                    f"the transcript has no segment {segment_seq} to correct",
                    details={"seq": segment_seq},
                    reason=Reason.SEGMENT_NOT_FOUND,
                )
            stored = self._log.append(
                {
                    "action": _CORRECTION,
                    "time": _now(),
                    "corrects": segment_seq,
                    "text": text,
                    "by": by,
                }
            )
        return Correction(
            seq=stored["seq"], corrects=segment_seq, text=text, by=by, time=_time(stored)
        )


def read_transcript(path: Path) -> list[TranscriptEntry]:
    """Read a transcript log (blocking): segments by start time, corrections applied."""
    return _assemble(ChainedLog(path).entries())


def _assemble(raw: Iterable[dict[str, Any]]) -> list[TranscriptEntry]:
    segments: dict[int, TranscriptEntry] = {}
    for entry in raw:
        action = entry.get("action")
        if action == _SEGMENT:
            segments[entry["seq"]] = TranscriptEntry(
                seq=entry["seq"],
                time=_time(entry),
                segment=Segment.model_validate(entry["segment"]),
            )
        elif action == _CORRECTION and entry["corrects"] in segments:
            original = segments[entry["corrects"]]
            fix = Correction(
                seq=entry["seq"],
                corrects=entry["corrects"],
                text=entry["text"],
                by=entry["by"],
                time=_time(entry),
            )
            segments[fix.corrects] = original.model_copy(
                update={"corrections": (*original.corrections, fix)}
            )
        # Other entries (a chain repair note) are not part of the transcript's text.
    return sorted(segments.values(), key=lambda e: (e.segment.start, e.seq))


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _time(entry: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(entry["time"])
