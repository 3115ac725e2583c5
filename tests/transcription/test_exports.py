"""Every download format, read back: Korean and Chinese come out as they were said."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from docx import Document

from hearing.roles import Role
from transcription import (
    Confirmation,
    Decision,
    ExportFormat,
    HearingInfo,
    Segment,
    Speaker,
    TranscriptEntry,
    TranscriptVersion,
    Word,
    export_transcript,
    standings,
    to_docx,
    to_json,
    to_srt,
    to_txt,
    to_webvtt,
)
from transcription.transcript import Correction

JUDGE = Speaker(participant_id="judge-1", name="박판사", role=Role.JUDGE)
PARTY = Speaker(participant_id="party-1", name="王小明", role=Role.PARTY)
INFO = HearingInfo(
    case_number="2026가합12345",
    title="김 대 王 <계약> & 손해배상",
    court="서울중앙지방법원",
    date=date(2026, 12, 1),
    participants=(JUDGE, PARTY),
    hearing_id="h-1",
)


def entry(seq: int, who: Speaker, start: float, text: str) -> TranscriptEntry:
    words = tuple(
        Word(word=w, start=start + i, end=start + i + 0.8, conf=1.0)
        for i, w in enumerate(text.split())
    )
    segment = Segment(
        hearing="h-1",
        participant_id=who.participant_id,
        speaker=who.name,
        role=who.role,
        start=start,
        end=words[-1].end,
        text=text,
        words=words,
    )
    return TranscriptEntry(seq=seq, time=datetime(2026, 12, 1, tzinfo=UTC), segment=segment)


CORRECTED = entry(2, PARTY, 3725.5, "我 没有 签 合同").model_copy(
    update={
        "corrections": (
            Correction(
                seq=4,
                corrects=2,
                text="我没有签这份合同 <原文>",
                by="clerk-1",
                time=datetime(2026, 12, 1, 1, tzinfo=UTC),
            ),
        )
    }
)
ENTRIES = [entry(1, JUDGE, 65.25, "재판을 시작하겠습니다"), CORRECTED]


def test_txt_is_a_court_transcript() -> None:
    text = to_txt(INFO, ENTRIES)
    lines = export_transcript(ExportFormat.TXT, INFO, ENTRIES).decode("utf-8").splitlines()
    assert text.splitlines() == lines
    assert lines[0] == "서울중앙지방법원"
    assert "Case number: 2026가합12345" in lines
    assert "Date: 2026-12-01" in lines
    assert "  박판사 (judge)" in lines and "  王小明 (party)" in lines
    assert lines[-2:] == [
        "[00:01:05] 박판사 (judge): 재판을 시작하겠습니다",
        "[01:02:05] 王小明 (party): 我没有签这份合同 <原文>",
    ]


def test_json_keeps_originals_corrections_and_words() -> None:
    data = json.loads(export_transcript(ExportFormat.JSON, INFO, ENTRIES).decode("utf-8"))
    assert data["hearing"]["title"] == INFO.title
    first, second = data["segments"]
    assert first["speaker"] == "박판사" and first["words"][0]["word"] == "재판을"
    assert second["text"] == "我没有签这份合同 <原文>"
    assert second["original_text"] == "我 没有 签 合同"
    assert second["corrections"][0]["by"] == "clerk-1"
    assert json.loads(to_json(INFO, ENTRIES)) == data


def test_webvtt_cues_name_the_speaker() -> None:
    vtt = export_transcript(ExportFormat.VTT, INFO, ENTRIES).decode("utf-8")
    assert vtt == to_webvtt(INFO, ENTRIES)
    assert vtt.startswith("WEBVTT - 2026가합12345 김 대 王 <계약> & 손해배상\n\n")
    cues = vtt.split("\n\n")[1:]
    assert cues[0].splitlines() == [
        "1",
        "00:01:05.250 --> 00:01:07.050",
        "<v 박판사 (judge)>재판을 시작하겠습니다",
    ]
    timing, payload = cues[1].splitlines()[1:3]
    assert timing == "01:02:05.500 --> 01:02:09.300"
    unescaped = re.sub(r"^<v ([^>]*)>", r"\1: ", payload).replace("&lt;", "<").replace("&gt;", ">")
    assert unescaped == "王小明 (party): 我没有签这份合同 <原文>"


def test_srt_round_trips() -> None:
    srt = export_transcript(ExportFormat.SRT, INFO, ENTRIES).decode("utf-8")
    assert srt == to_srt(INFO, ENTRIES)
    blocks = [b.splitlines() for b in srt.strip().split("\n\n")]
    assert blocks == [
        ["1", "00:01:05,250 --> 00:01:07,050", "박판사 (judge): 재판을 시작하겠습니다"],
        ["2", "01:02:05,500 --> 01:02:09,300", "王小明 (party): 我没有签这份合同 <原文>"],
    ]


def test_docx_reads_back_with_python_docx() -> None:
    data = export_transcript(ExportFormat.DOCX, INFO, ENTRIES)
    assert data[:2] == b"PK" and len(to_docx(INFO, ENTRIES)) > 0
    paragraphs = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert paragraphs[0] == "서울중앙지방법원"
    assert "Title: 김 대 王 <계약> & 손해배상" in paragraphs
    assert "王小明 (party)" in paragraphs
    assert paragraphs[-2:] == [
        "[00:01:05] 박판사 (judge): 재판을 시작하겠습니다",
        "[01:02:05] 王小明 (party): 我没有签这份合同 <原文>",
    ]


COUNSEL = Speaker(participant_id="counsel-1", name="김변호", role=Role.COUNSEL)
READ = TranscriptVersion(entries=4, hash="a" * 64)


def said(seq: int, who: Speaker, decision: Decision, note: str, version: TranscriptVersion
         ) -> Confirmation:  # fmt: skip
    return Confirmation(seq=seq, time=datetime(2026, 12, 1, 2, 30, tzinfo=UTC),
                        participant_id=who.participant_id, speaker=who.name, role=who.role,
                        decision=decision, note=note, version=version)  # fmt: skip


NOW = TranscriptVersion(entries=6, hash="b" * 64)  # after a correction
AFTER = replace(
    INFO,
    participants=(JUDGE, PARTY, COUNSEL),
    confirmations=tuple(
        standings(
            (JUDGE, PARTY, COUNSEL),
            [
                said(5, PARTY, Decision.OBJECTED, "应为“签署”", READ),
                said(7, COUNSEL, Decision.CONFIRMED, "", NOW),
            ],
            NOW,
        )
    ),
)


def test_after_the_hearing_the_transcript_says_who_confirmed_it() -> None:
    lines = to_txt(AFTER, ENTRIES).splitlines()
    assert lines[-4:] == [
        "CONFIRMATION BY THE PARTICIPANTS",
        "  박판사 (judge): not confirmed",
        "  王小明 (party): objected on 2026-12-01 02:30:00 UTC, before a later correction: "
        "应为“签署”",
        "  김변호 (counsel): confirmed on 2026-12-01 02:30:00 UTC",
    ]
    assert "CONFIRMATION" not in to_txt(INFO, ENTRIES)  # during the hearing: no such part
    paragraphs = [p.text for p in Document(io.BytesIO(to_docx(AFTER, ENTRIES))).paragraphs]
    assert paragraphs[-4:] == [line.strip() for line in lines[-4:]]
    data = json.loads(to_json(AFTER, ENTRIES))
    assert [(c["participant_id"], c["status"], c["current"]) for c in data["confirmations"]] == [
        ("judge-1", "pending", False), ("party-1", "objected", False),
        ("counsel-1", "confirmed", True)]  # fmt: skip
    assert data["confirmations"][1]["confirmation"]["note"] == "应为“签署”"
    assert "confirmations" not in json.loads(to_json(INFO, ENTRIES))


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_every_format_has_a_media_type(fmt: ExportFormat) -> None:
    assert fmt.media_type and fmt.extension == fmt.value
    empty = export_transcript(fmt, INFO, [])
    assert empty or fmt is ExportFormat.SRT  # an empty SRT file is a valid one
