"""Hearings stored under the data dir: created once, read back, changed atomically, audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearing.errors import Conflict, IllegalTransition, NotFound
from hearing.lifecycle import HearingState, LifecycleAction
from hearing.model import NewHearing
from hearing.repository import HearingRepository, RecordCorrupt

SPEC = {
    "case_number": "2026-1",
    "title": "A v. B",
    "scheduled_start": "2026-12-01T09:30:00+09:00",
    "participants": [{"id": "j", "display_name": "Judge", "role": "judge"}],
}


def test_create_get_list_survive_a_new_repository(tmp_path: Path) -> None:
    repo = HearingRepository(tmp_path)
    h = repo.create(NewHearing.model_validate({**SPEC, "id": "case-1"}), actor="court-system")
    assert (tmp_path / "hearings" / "case-1" / "hearing.json").is_file()
    again = HearingRepository(tmp_path)
    assert again.get("case-1") == h
    assert [x.id for x in again.list()] == ["case-1"]
    assert [e["action"] for e in again.audit("case-1").entries()] == ["hearing_created"]


def test_duplicate_id_is_a_conflict_and_changes_nothing(tmp_path: Path) -> None:
    repo = HearingRepository(tmp_path)
    h = repo.create(NewHearing.model_validate({**SPEC, "id": "case-1"}), actor="a")
    before = (tmp_path / "hearings" / "case-1" / "hearing.json").read_bytes()
    with pytest.raises(Conflict, match="already exists"):
        repo.create(NewHearing.model_validate({**SPEC, "id": "case-1", "title": "X"}), actor="a")
    assert (tmp_path / "hearings" / "case-1" / "hearing.json").read_bytes() == before
    assert repo.get("case-1") == h


def test_a_failed_change_stores_nothing(tmp_path: Path) -> None:
    repo = HearingRepository(tmp_path)
    h = repo.create(NewHearing.model_validate(SPEC), actor="a")
    with pytest.raises(IllegalTransition):
        repo.change(
            h.id, lambda x: x.transitioned(LifecycleAction.START, at=1.0), actor="a", action="s"
        )
    assert repo.get(h.id).state is HearingState.SCHEDULED
    assert len(repo.audit(h.id).entries()) == 1


@pytest.mark.parametrize("bad_id", ["../etc", "UPPER", "", "a/b", "x" * 65])
def test_unsafe_ids_are_not_found(tmp_path: Path, bad_id: str) -> None:
    with pytest.raises(NotFound):
        HearingRepository(tmp_path).get(bad_id)


def test_a_corrupt_file_is_reported_not_ignored(tmp_path: Path) -> None:
    repo = HearingRepository(tmp_path)
    h = repo.create(NewHearing.model_validate(SPEC), actor="a")
    (tmp_path / "hearings" / h.id / "hearing.json").write_text("{not json")
    with pytest.raises(RecordCorrupt, match="unreadable"):
        repo.get(h.id)
