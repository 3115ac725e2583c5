"""The durable transcript log: appends, reopening, order, corrections that keep originals,
confirmations of the version read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hearing.chain import ChainedLog, ChainError
from hearing.errors import Conflict, InvalidInput, NotFound
from hearing.roles import Role
from transcription import (
    Decision,
    Segment,
    Speaker,
    TranscriptLog,
    TranscriptVersion,
    Word,
    read_transcript,
)


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


PARTY = Speaker(participant_id="party-1", name="王小明", role=Role.PARTY)
JUDGE = Speaker(participant_id="judge-1", name="박판사", role=Role.JUDGE)


async def test_a_confirmation_names_the_version_read_and_others_do_not_change_it(
    tmp_path: Path,
) -> None:
    log = TranscriptLog(tmp_path)
    assert (await log.read()).version == TranscriptVersion(entries=0, hash="0" * 64)
    await log.append(segment("judge-1", 1.0, "휴정합니다"))
    stored = await log.append(segment("party-1", 4.0, "我 没有 签 这份 合同"))
    read = (await log.read()).version
    assert read.entries == stored.seq == 2

    mine = await log.confirm(PARTY, Decision.CONFIRMED, "  ", read)
    assert (mine.participant_id, mine.speaker, mine.role) == ("party-1", "王小明", Role.PARTY)
    assert (mine.decision, mine.note, mine.version, mine.seq) == (
        Decision.CONFIRMED, "", read, 3)  # fmt: skip
    # Another's confirmation of the same text is not a change of it.
    assert (await log.read()).version == read
    theirs = await log.confirm(JUDGE, Decision.OBJECTED, " 第二句应为“签署” ", read)
    assert theirs.note == "第二句应为“签署”"
    assert (await log.read()).confirmations == [mine, theirs]
    # They are entries of the chain, and not lines of the transcript.
    assert await log.verify() == 4
    assert [e.seq for e in await log.entries()] == [1, 2]


async def test_a_confirmation_of_a_text_corrected_since_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    log = TranscriptLog(tmp_path)
    stored = await log.append(segment("party-1", 4.0, "我 没有 签 这份 合同"))
    read = (await log.read()).version
    await log.correct(stored.seq, "我没有签署这份合同", by="clerk-1")
    before = (tmp_path / "transcript.jsonl").read_bytes()
    with pytest.raises(Conflict) as refused:
        await log.confirm(PARTY, Decision.CONFIRMED, "", read)
    assert refused.value.reason_code == "transcript_changed"
    assert "read it again" in refused.value.message
    assert (tmp_path / "transcript.jsonl").read_bytes() == before
    now = (await log.read()).version
    assert now.entries == 2 and now != read
    assert (await log.confirm(PARTY, Decision.CONFIRMED, "", now)).version == now


async def test_an_objection_must_say_what_is_wrong(tmp_path: Path) -> None:
    log = TranscriptLog(tmp_path)
    await log.append(segment("party-1", 4.0, "我 没有 签 这份 合同"))
    read = (await log.read()).version
    for note in ("", "   ", "x" * 2001):
        with pytest.raises(InvalidInput, match="note"):
            await log.confirm(PARTY, Decision.OBJECTED, note, read)
    assert (await log.read()).confirmations == [] and await log.verify() == 1
