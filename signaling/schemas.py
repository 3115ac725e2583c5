"""Request and response bodies of the REST API (also the source of its OpenAPI document)."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hearing.lifecycle import HearingState
from hearing.model import Hearing, HearingSpec, ParticipantId
from hearing.roles import HearingKind, Role
from media.stats import ParticipantMedia
from transcription import Confirmation, Decision, TranscriptVersion
from transcription.transcript import NOTE_MAX_CHARS

__all__ = [
    "CancelRequest",
    "ConfirmationIn",
    "ConfirmationList",
    "ConfirmationOut",
    "ConfirmationStatus",
    "CorrectionIn",
    "CorrectionOut",
    "ErrorBody",
    "ErrorDetail",
    "HearingList",
    "HearingOut",
    "JoinLink",
    "JoinLinks",
    "LinkRequest",
    "MediaReport",
    "ParticipantConfirmation",
    "RecordingFile",
    "RecordingList",
    "RevokeResult",
    "SessionHearing",
    "SessionInfo",
    "SessionParticipant",
    "TranscriptForConfirmation",
    "TranscriptLine",
    "TranscriptVersionOut",
]


class _Body(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ErrorDetail(_Body):
    code: str = Field(description="The kind of error; it decides the HTTP status.")
    reason: str = Field(
        description="The very refusal: a stable machine code for translation "
        "(hearing.errors.Reason), or the `code` when there is none more specific."
    )
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorBody(_Body):
    """Every error the server answers has this shape."""

    error: ErrorDetail


class HearingOut(HearingSpec):
    """A hearing as the API shows it."""

    id: str
    state: HearingState
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, hearing: Hearing) -> HearingOut:
        return cls.model_validate(hearing.model_dump(exclude={"link_generation", "sittings"}))


class HearingList(_Body):
    hearings: list[HearingOut]


class CancelRequest(_Body):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class LinkRequest(_Body):
    """Which participants get a link (all when omitted) and for how long."""

    participants: list[ParticipantId] | None = Field(default=None, min_length=1, max_length=50)
    ttl_seconds: int | None = Field(default=None, ge=60, le=90 * 24 * 3600)


class JoinLink(_Body):
    participant_id: str
    display_name: str
    role: Role
    url: str
    token: str
    expires_at: datetime


class JoinLinks(_Body):
    hearing_id: str
    links: list[JoinLink]


class RevokeResult(_Body):
    hearing_id: str
    participant_id: str
    disconnected: bool = Field(description="Whether a live connection was closed.")


class SessionHearing(_Body):
    """What a participant is told about the hearing they were invited to."""

    id: str
    case_number: str
    title: str
    court: str
    language: str
    kind: HearingKind
    public: bool
    state: HearingState
    scheduled_start: datetime


class MediaReport(_Body):
    hearing_id: str
    participants: list[ParticipantMedia]


class RecordingFile(_Body):
    file: str = Field(description="Path in the recordings folder; download it by this name.")
    role: str = Field(description="segment (as recorded), participant, mixdown, crashed_original")
    participant_id: str | None = None
    offset: float | None = Field(None, description="Hearing-clock seconds at the file's start.")
    duration: float | None = None
    size: int
    sha256: str | None = None
    recording: bool = Field(False, description="Still being written.")
    url: str | None = Field(
        default=None,
        description="This file's address signed for the caller, valid for an hour, that needs "
        "no Authorization header (for a browser's <video src>); Range requests work on it.",
    )


class RecordingList(_Body):
    hearing_id: str
    indexed: bool = Field(description="The index (hashes, playback set) has been made.")
    files: list[RecordingFile]

    @classmethod
    def of(cls, hearing_id: str, folder: Path) -> RecordingList:
        """From `recordings/index.json` once made, else from the files as they are."""
        index = folder / "index.json"
        if index.is_file():
            entries = json.loads(index.read_text())["files"]
            files = [RecordingFile.model_validate({k: e.get(k) for k in (
                "file", "role", "participant_id", "offset", "duration", "size", "sha256")})
                for e in entries]  # fmt: skip
            return cls(hearing_id=hearing_id, indexed=True, files=files)
        files = []
        for path in sorted(folder.glob("*.*")) if folder.is_dir() else []:
            if path.suffix in (".webm", ".mkv"):
                marker = path.with_name(path.name + ".recording")
                files.append(
                    RecordingFile(
                        file=path.name,
                        role="segment",
                        offset=None,
                        size=path.stat().st_size,
                        recording=marker.exists(),
                    )
                )
        return cls(hearing_id=hearing_id, indexed=False, files=files)


class CorrectionIn(_Body):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class CorrectionOut(_Body):
    hearing_id: str
    seq: int = Field(description="The corrected segment.")
    text: str = Field(description="Its text now (the original is kept in the record).")
    by: str = Field(description="Who corrected it: a participant id, or the court system.")
    correction_seq: int = Field(description="The correction's own entry in the transcript log.")
    time: datetime


class TranscriptVersionOut(_Body):
    """A version of the transcript's text: up to its last segment or correction entry."""

    entries: int = Field(description="The transcript up to this entry of its log ...")
    hash: str = Field(description="... whose chain hash this is (SHA-256, hex).")

    @classmethod
    def of(cls, version: TranscriptVersion) -> TranscriptVersionOut:
        return cls(entries=version.entries, hash=version.hash)

    def domain(self) -> TranscriptVersion:
        return TranscriptVersion(entries=self.entries, hash=self.hash)


class ConfirmationIn(_Body):
    decision: Decision
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=NOTE_MAX_CHARS)] = (
        Field("", description="Required for an objection: what is wrong.")
    )
    head: TranscriptVersionOut = Field(
        description="The version read (from GET /session/transcript): a confirmation is of "
        "the text the person read, never of one corrected since."
    )


class ConfirmationOut(_Body):
    hearing_id: str
    participant_id: str
    speaker: str
    role: Role
    decision: Decision
    note: str
    time: datetime
    head: TranscriptVersionOut = Field(description="The version confirmed.")
    seq: int = Field(description="The confirmation's own entry in the transcript log.")
    current: bool = Field(description="Whether it is of the transcript's text as it is now.")

    @classmethod
    def of(
        cls, hearing_id: str, confirmation: Confirmation, now: TranscriptVersion
    ) -> ConfirmationOut:
        return cls(
            hearing_id=hearing_id,
            participant_id=confirmation.participant_id,
            speaker=confirmation.speaker,
            role=confirmation.role,
            decision=confirmation.decision,
            note=confirmation.note,
            time=confirmation.time,
            head=TranscriptVersionOut.of(confirmation.version),
            seq=confirmation.seq,
            current=confirmation.version == now,
        )


class TranscriptLine(_Body):
    seq: int
    participant_id: str
    speaker: str
    role: Role
    start: float = Field(description="Hearing-clock seconds.")
    end: float
    text: str = Field(description="The text now (corrections applied).")
    original_text: str
    corrected: bool


class TranscriptForConfirmation(_Body):
    hearing_id: str
    complete: bool = Field(
        description="False while the hearing's record is being completed (its last lines are "
        "being written): the lines so far, to read but not yet to confirm; ask again."
    )
    head: TranscriptVersionOut = Field(description="The version shown: send it back to confirm.")
    segments: list[TranscriptLine]
    confirmation: ConfirmationOut | None = Field(
        description="This participant's latest confirmation or objection, if any."
    )


class ConfirmationStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    OBJECTED = "objected"


class ParticipantConfirmation(_Body):
    participant_id: str
    speaker: str
    role: Role
    status: ConfirmationStatus
    current: bool = Field(description="False once the transcript was corrected after it.")
    note: str = ""
    time: datetime | None = None


class ConfirmationList(_Body):
    hearing_id: str
    head: TranscriptVersionOut = Field(description="The transcript's version now.")
    participants: list[ParticipantConfirmation] = Field(
        description="Everyone asked to confirm the transcript, in the hearing's order."
    )


class SessionParticipant(_Body):
    id: str
    display_name: str
    role: Role


class SessionInfo(_Body):
    hearing: SessionHearing
    participant: SessionParticipant
    expires_at: datetime


class SealKeyOut(_Body):
    algorithm: str = Field(description="Ed25519")
    public_key: str = Field(description="The raw 32-byte public key, base64")
    fingerprint: str = Field(description="SHA-256 of the raw public key, hex")


class RecordVerification(_Body):
    hearing_id: str
    sealed: bool = Field(description="The record has a signed manifest.")
    verified: bool = Field(
        description="Every sealed file is unchanged, the chains hold and the manifest is "
        "signed with this server's key."
    )
    sealed_at: datetime | None = None
    files: int = Field(description="Files the manifest covers")
    problems: list[str] = Field(description="How the record differs from what was sealed")
    notes: list[str] = Field(description="E.g. transcript corrections chained after the seal")
    key_fingerprint: str
    seal_failed: str | None = Field(
        default=None, description="Why sealing failed (also `record_seal_failed` in the audit log)"
    )
