"""What a transcript is made of: who spoke (Speaker), and what they said when (Segment, Word)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from hearing.roles import Role

__all__ = ["Segment", "Speaker", "Word"]


class Speaker(BaseModel):
    """The participant whose track is transcribed: attribution is exact, one track each."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    participant_id: str
    name: str
    role: Role


class Word(BaseModel):
    """One recognised word, timed on the hearing clock (seconds in session)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    word: str
    start: float
    end: float
    conf: float = Field(ge=0.0, le=1.0)


class Segment(BaseModel):
    """A final result: one speaker's words between `start` and `end` on the hearing clock."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hearing: str
    participant_id: str
    speaker: str = Field(description="The speaker's display name when the words were said.")
    role: Role
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()

    @property
    def duration(self) -> float:
        return self.end - self.start
