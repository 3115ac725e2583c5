"""Transcript downloads: court-transcript TXT, JSON, WebVTT, SRT and DOCX.

The functions take plain values (the hearing's particulars and the transcript entries,
ordered by start time), so any layer can serve them. Every format is UTF-8 (DOCX is
XML inside), so Korean and Chinese come out as they were said.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from .segment import Speaker
from .transcript import Standing, TranscriptEntry

__all__ = [
    "ExportFormat",
    "HearingInfo",
    "export_transcript",
    "to_docx",
    "to_json",
    "to_srt",
    "to_txt",
    "to_webvtt",
]


class ExportFormat(StrEnum):
    """A download format; `media_type` and `extension` are what an HTTP response needs."""

    TXT = "txt"
    JSON = "json"
    VTT = "vtt"
    SRT = "srt"
    DOCX = "docx"

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]

    @property
    def extension(self) -> str:
        return self.value


_MEDIA_TYPES = {
    ExportFormat.TXT: "text/plain; charset=utf-8",
    ExportFormat.JSON: "application/json",
    ExportFormat.VTT: "text/vtt; charset=utf-8",
    ExportFormat.SRT: "application/x-subrip; charset=utf-8",
    ExportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True, slots=True)
class HearingInfo:
    """The particulars printed at the head of a transcript."""

    case_number: str
    title: str
    court: str
    date: date | str
    participants: tuple[Speaker, ...] = ()
    hearing_id: str = ""
    confirmations: tuple[Standing, ...] | None = None
    """After the hearing: where each participant asked to confirm the transcript stands."""

    @property
    def date_text(self) -> str:
        if isinstance(self.date, datetime):
            return self.date.date().isoformat()
        return self.date.isoformat() if isinstance(self.date, date) else self.date


def export_transcript(
    fmt: ExportFormat, info: HearingInfo, entries: Sequence[TranscriptEntry]
) -> bytes:
    """The transcript in `fmt`, as the bytes of the file to download."""
    if fmt is ExportFormat.DOCX:
        return to_docx(info, entries)
    text = {
        ExportFormat.TXT: to_txt,
        ExportFormat.JSON: to_json,
        ExportFormat.VTT: to_webvtt,
        ExportFormat.SRT: to_srt,
    }[fmt](info, entries)
    return text.encode("utf-8")


def _clock(seconds: float, sep: str = "", millis: bool = False) -> str:
    total_ms = max(0, round(seconds * 1000))
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{text}{sep}{ms:03d}" if millis else text


def _who(entry: TranscriptEntry) -> str:
    return f"{entry.segment.speaker} ({entry.segment.role.value})"


def _spoken(entries: Sequence[TranscriptEntry]) -> list[TranscriptEntry]:
    # A segment corrected to nothing (noise taken for words) has no line of its own.
    return [e for e in entries if e.text]


def _header_lines(info: HearingInfo) -> list[str]:
    lines = [
        info.court,
        "TRANSCRIPT OF PROCEEDINGS",
        "",
        f"Case number: {info.case_number}",
        f"Title: {info.title}",
        f"Date: {info.date_text}",
        "Participants:",
    ]
    lines += [f"  {p.name} ({p.role.value})" for p in info.participants]
    return lines


_CONFIRMED_HEADING = "CONFIRMATION BY THE PARTICIPANTS"


def _standing_text(standing: Standing) -> str:
    """One participant's line under the confirmation heading."""
    who = f"{standing.speaker.name} ({standing.speaker.role.value})"
    given = standing.latest
    if given is None:
        return f"{who}: not confirmed"
    said = f"{who}: {given.decision.value} on {given.time.strftime('%Y-%m-%d %H:%M:%S %Z')}"
    if not standing.current:
        said += ", before a later correction"
    return f"{said}: {given.note}" if given.note else said


def to_txt(info: HearingInfo, entries: Sequence[TranscriptEntry]) -> str:
    """The court-transcript layout: a header, then `[hh:mm:ss] NAME (role): text` lines,
    then (after the hearing) who confirmed it."""
    lines = _header_lines(info) + [""]
    lines += [f"[{_clock(e.segment.start)}] {_who(e)}: {e.text}" for e in _spoken(entries)]
    if info.confirmations is not None:
        lines += ["", _CONFIRMED_HEADING]
        lines += [f"  {_standing_text(s)}" for s in info.confirmations]
    return "\n".join(lines) + "\n"


def to_json(info: HearingInfo, entries: Sequence[TranscriptEntry]) -> str:
    """Everything, corrections and word timings included."""
    document = {
        "hearing": {
            "id": info.hearing_id,
            "case_number": info.case_number,
            "title": info.title,
            "court": info.court,
            "date": info.date_text,
            "participants": [p.model_dump(mode="json") for p in info.participants],
        },
        "segments": [
            {
                "seq": e.seq,
                **e.segment.model_dump(mode="json", exclude={"text"}),
                "text": e.text,
                "original_text": e.original_text,
                "corrections": [c.model_dump(mode="json") for c in e.corrections],
            }
            for e in entries
        ],
    }
    if info.confirmations is not None:
        document["confirmations"] = [
            {
                **s.speaker.model_dump(mode="json"),
                "status": s.status,
                "current": s.current,
                "confirmation": None if s.latest is None else s.latest.model_dump(mode="json"),
            }
            for s in info.confirmations
        ]
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _cue_times(entry: TranscriptEntry, sep: str) -> str:
    start, end = entry.segment.start, max(entry.segment.end, entry.segment.start + 0.001)
    return f"{_clock(start, sep, True)} --> {_clock(end, sep, True)}"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_webvtt(info: HearingInfo, entries: Sequence[TranscriptEntry]) -> str:
    """WebVTT captions with the speaker as a voice span (`<v NAME (role)>`)."""
    title = " ".join(f"{info.case_number} {info.title}".split())
    # The header line is free text, but must not contain a cue timing arrow.
    lines = [f"WEBVTT - {title.replace('-->', '->')}" if title else "WEBVTT", ""]
    for i, e in enumerate(_spoken(entries), 1):
        lines += [
            str(i),
            _cue_times(e, "."),
            f"<v {_vtt_escape(_who(e))}>{_vtt_escape(e.text)}",
            "",
        ]
    return "\n".join(lines)


def to_srt(info: HearingInfo, entries: Sequence[TranscriptEntry]) -> str:
    """SubRip captions, `NAME (role): text`."""
    lines: list[str] = []
    for i, e in enumerate(_spoken(entries), 1):
        lines += [str(i), _cue_times(e, ","), f"{_who(e)}: {e.text}", ""]
    return "\n".join(lines)


def to_docx(
    info: HearingInfo, entries: Sequence[TranscriptEntry], *, font: str = "Malgun Gothic"
) -> bytes:
    """A Word document in the court-transcript layout."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    if font:
        # Word picks the East Asian font separately; name one that has Hangul and Hanzi.
        fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), font)
    heading = document.add_heading(info.court, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = document.add_paragraph("TRANSCRIPT OF PROCEEDINGS")
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for label, value in (
        ("Case number", info.case_number),
        ("Title", info.title),
        ("Date", info.date_text),
    ):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    document.add_paragraph().add_run("Participants:").bold = True
    for participant in info.participants:
        document.add_paragraph(f"{participant.name} ({participant.role.value})")
    document.add_paragraph()
    for e in _spoken(entries):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"[{_clock(e.segment.start)}] ")
        paragraph.add_run(f"{_who(e)}:").bold = True
        paragraph.add_run(f" {e.text}")
    if info.confirmations is not None:
        document.add_paragraph()
        document.add_paragraph().add_run(_CONFIRMED_HEADING).bold = True
        for standing in info.confirmations:
            document.add_paragraph(_standing_text(standing))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
