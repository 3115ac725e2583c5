"""The durable transcript log: appends, reopening, order, corrections that keep originals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hearing.chain import ChainedLog, ChainError
from hearing.errors import NotFound
from hearing.roles import Role
from transcription import Segment, TranscriptLog, Word, read_transcript


def segment(who: str, start: float, text: str) -> Segment:
    words = tuple(
        Word(word=w, start=start + i * 0.5, end=start + i * 0.5 + 0.4, conf=0.9)
        for i, w in enumerate(text.split())
    )
    return Segment(
        hearing="h-1",
        participant_id=who,
        speaker={"judge-1": "박판사", "party-1": "王小明"}[who],
        role=Role.JUDGE if who == "judge-1" else Role.PARTY,
        start=start,
        end=words[-1].end,
        text=text,
        words=words,
    )


async def test_segments_survive_a_reopen_in_start_order_and_the_chain_verifies(
    tmp_path: Path,
) -> None:
    log = TranscriptLog(tmp_path)
    late = await log.append(segment("party-1", 12.0, "我 没有 签 这份 合同"))
    early = await log.append(segment("judge-1", 3.5, "재판을 시작하겠습니다"))
    assert (late.seq, early.seq) == (1, 2)

    reopened = TranscriptLog(tmp_path)
    entries = await reopened.entries()
    assert [e.seq for e in entries] == [2, 1]  # by start time, whoever was appended first
    assert entries[0].segment == early.segment and entries[1].segment == late.segment
    assert await reopened.verify() == 2
    assert ChainedLog(tmp_path / "transcript.jsonl").verify().seq == 2


async def test_a_correction_is_a_new_entry_and_the_original_stays(tmp_path: Path) -> None:
    log = TranscriptLog(tmp_path)
    stored = await log.append(segment("party-1", 1.0, "我 没有 签 这份 合同"))
    before = (tmp_path / "transcript.jsonl").read_bytes()
    fix = await log.correct(stored.seq, "我 没有 签署 这份 合同", by="clerk-1")
    again = await log.correct(stored.seq, "我没有签署这份合同", by="clerk-2")
    assert (fix.seq, fix.corrects, again.seq) == (2, 1, 3)

    assert (tmp_path / "transcript.jsonl").read_bytes().startswith(before)  # never rewritten
    (entry,) = read_transcript(log.path)
    assert entry.text == "我没有签署这份合同"
    assert entry.original_text == "我 没有 签 这份 合同"
    assert [c.by for c in entry.corrections] == ["clerk-1", "clerk-2"]
    assert await log.verify() == 3


async def test_only_segments_can_be_corrected(tmp_path: Path) -> None:
    log = TranscriptLog(tmp_path)
    stored = await log.append(segment("judge-1", 1.0, "휴정합니다"))
    fix = await log.correct(stored.seq, "휴정하겠습니다", by="clerk-1")
    for seq in (fix.seq, 99):
        with pytest.raises(NotFound):
            await log.correct(seq, "x", by="clerk-1")
    assert await log.verify() == 2


async def test_tampering_is_detected(tmp_path: Path) -> None:
    log = TranscriptLog(tmp_path)
    await log.append(segment("judge-1", 1.0, "휴정합니다"))
    line = json.loads(log.path.read_text())
    line["segment"]["text"] = "개정합니다"
    log.path.write_text(json.dumps(line, ensure_ascii=False) + "\n")
    with pytest.raises(ChainError):
        await log.verify()
