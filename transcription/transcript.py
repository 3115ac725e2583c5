"""The durable transcript: segments, corrections and confirmations in `transcript.jsonl`.

Every entry is hash-chained (hearing.chain.ChainedLog) and fsynced before `append`
returns, so a segment is on disk before anyone is shown it. A correction is a new
entry that names the segment it corrects; the original is never overwritten, and
readers see both the original text and the current one.

A confirmation is a participant's statement, after the hearing, that the transcript
is accurate (or their objection to it, with a note). It names the version they read:
the last segment or correction entry (its seq and hash), so a confirmation can never
be taken for one of a text corrected after it; other confirmations do not change the
version.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from hearing.chain import GENESIS, ChainedLog, Signer
from hearing.errors import Conflict, InvalidInput, NotFound, Reason
from hearing.roles import Role

from .segment import Segment, Speaker

__all__ = [
    "Confirmation",
    "Correction",
    "Decision",
    "Standing",
    "Transcript",
    "TranscriptEntry",
    "TranscriptLog",
    "TranscriptVersion",
    "read_log",
    "read_transcript",
    "standings",
]

TRANSCRIPT_FILE = "transcript.jsonl"
NOTE_MAX_CHARS = 2000
_SEGMENT = "segment"
_CORRECTION = "correction"
_CONFIRMATION = "confirmation"
_CONTENT = (_SEGMENT, _CORRECTION)


class Decision(StrEnum):
    CONFIRMED = "confirmed"
    OBJECTED = "objected"


class TranscriptVersion(BaseModel):
    """The transcript's text as of one entry: its last segment or correction (seq, hash)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entries: int
    hash: str


class Confirmation(BaseModel):
    """A participant's confirmation of (or objection to) one version of the transcript."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int
    time: datetime
    participant_id: str
    speaker: str
    role: Role
    decision: Decision
    note: str
    version: TranscriptVersion


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

    def __init__(self, hearing_dir: Path, *, sign: Signer | None = None) -> None:
        """`sign`: sign corrections and confirmations with the court's key (those made
        after the record is sealed must be signed to be part of it)."""
        self._log = ChainedLog(hearing_dir / TRANSCRIPT_FILE)
        self._sign = sign
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

    async def confirm(
        self, speaker: Speaker, decision: Decision, note: str, version: TranscriptVersion
    ) -> Confirmation:
        """Record `speaker`'s confirmation of (or objection to) the transcript as of `version`.

        Conflict (transcript_changed) if it has been corrected or added to since.
        """
        return await asyncio.to_thread(self._confirm, speaker, decision, note, version)

    async def read(self) -> Transcript:
        """Its lines, its version and the confirmations of it, in one reading of the log."""
        return await asyncio.to_thread(read_log, self.path)

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
                },
                sign=self._sign,
            )
        return Correction(
            seq=stored["seq"], corrects=segment_seq, text=text, by=by, time=_time(stored)
        )

    def _confirm(
        self, speaker: Speaker, decision: Decision, note: str, version: TranscriptVersion
    ) -> Confirmation:
        note = note.strip()
        if decision is Decision.OBJECTED and not note:
            raise InvalidInput(
                "an objection must say what is wrong with the transcript: add a note",
                details={"field": "note"},
                reason=Reason.NOTE_REQUIRED,
            )
        if len(note) > NOTE_MAX_CHARS:
            raise InvalidInput(
                f"the note is {len(note)} characters long; at most {NOTE_MAX_CHARS} are kept",
                details={"field": "note", "length": len(note), "limit": NOTE_MAX_CHARS},
                reason=Reason.NOTE_TOO_LONG,
            )
        with self._lock:
            current = _version(self._log.entries())
            if current != version:
                raise Conflict(
                    "the transcript has changed since it was read (a correction was made): "
                    "read it again before confirming it",
                    details={"read": version.model_dump(), "current": current.model_dump()},
                    reason=Reason.TRANSCRIPT_CHANGED,
                )
            stored = self._log.append(
                {
                    "action": _CONFIRMATION,
                    "time": _now(),
                    "participant_id": speaker.participant_id,
                    "speaker": speaker.name,
                    "role": speaker.role.value,
                    "decision": decision.value,
                    "note": note,
                    "version": version.model_dump(),
                },
                sign=self._sign,
            )
        return _confirmation(stored)


class Standing(BaseModel):
    """Where one participant asked to confirm the transcript stands: their latest word on it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    speaker: Speaker
    latest: Confirmation | None
    current: bool  # their latest is of the text as it is now

    @property
    def status(self) -> str:
        """ "pending", "confirmed" or "objected"."""
        return "pending" if self.latest is None else self.latest.decision.value


def standings(
    asked: Iterable[Speaker], confirmations: Iterable[Confirmation], now: TranscriptVersion
) -> list[Standing]:
    """Each of `asked` with their latest confirmation (confirmations oldest first)."""
    latest = {c.participant_id: c for c in confirmations}
    return [
        Standing(
            speaker=s,
            latest=latest.get(s.participant_id),
            current=s.participant_id in latest and latest[s.participant_id].version == now,
        )
        for s in asked
    ]


@dataclass(frozen=True, slots=True)
class Transcript:
    """A transcript log as read at one moment."""

    entries: list[TranscriptEntry]  # by start time, corrections applied
    version: TranscriptVersion  # of the text
    confirmations: list[Confirmation]  # oldest first


def read_log(path: Path) -> Transcript:
    """Read a transcript log whole (blocking)."""
    raw = list(ChainedLog(path).entries())
    return Transcript(
        entries=_assemble(raw),
        version=_version(raw),
        confirmations=[_confirmation(e) for e in raw if e.get("action") == _CONFIRMATION],
    )


def _confirmation(entry: dict[str, Any]) -> Confirmation:
    return Confirmation.model_validate(
        {k: v for k, v in entry.items() if k not in ("action", "prev", "hash", "signature")}
    )


def _version(entries: Iterable[dict[str, Any]]) -> TranscriptVersion:
    last = TranscriptVersion(entries=0, hash=GENESIS)
    for entry in entries:
        if entry.get("action") in _CONTENT:
            last = TranscriptVersion(entries=entry["seq"], hash=entry["hash"])
    return last


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
