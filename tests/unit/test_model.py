"""Hearing definitions: what the court may create and change, and what is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from hearing.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from hearing.lifecycle import HearingState, LifecycleAction
from hearing.model import Hearing, HearingUpdate, NewHearing
from hearing.roles import HearingKind, Role


def spec(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "case_number": "2026-1",
        "title": "A v. B",
        "scheduled_start": "2026-12-01T09:30:00+09:00",
        "participants": [
            {"id": "j", "display_name": "Judge", "role": "judge"},
            {"id": "p", "display_name": "Party", "role": "party"},
        ],
    }
    data.update(overrides)
    return data


def test_create_generates_an_id_and_starts_scheduled() -> None:
    h = Hearing.create(NewHearing.model_validate(spec()))
    assert h.id.startswith("h-") and h.state is HearingState.SCHEDULED
    assert h.participant("p").role is Role.PARTY


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"participants": [{"id": "j", "display_name": "J", "role": "judge"},
                           {"id": "j", "display_name": "K", "role": "party"}]}, "repeated: j"),
        ({"participants": [{"id": "p", "display_name": "P", "role": "party"}]},
         "needs at least one judge"),
        ({"kind": "mediation"}, "needs at least one mediator"),
        ({"scheduled_start": "2026-12-01T09:30:00"}, "time zone"),
        ({"participants": []}, "at least 1 item"),
        ({"participants": [{"id": "../x", "display_name": "J", "role": "judge"}]}, "pattern"),
        ({"participants": [{"id": "j", "display_name": "J", "role": "king"}]}, "judge"),
        ({"language": "Korean"}, "pattern"),
        ({"title": "   "}, "at least 1 character"),
        ({"id": "Has Spaces"}, "pattern"),
        ({"surprise": 1}, "Extra inputs"),
    ],
)  # fmt: skip
def test_invalid_definitions_are_refused(overrides: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError) as e:
        NewHearing.model_validate(spec(**overrides))
    assert problem in str(e.value)


def test_mediation_with_a_mediator_is_valid() -> None:
    m = NewHearing.model_validate(
        spec(kind="mediation", participants=[{"id": "m", "display_name": "M", "role": "mediator"}])
    )
    assert m.kind is HearingKind.MEDIATION


def test_update_applies_only_given_fields_and_revalidates() -> None:
    h = Hearing.create(NewHearing.model_validate(spec()))
    changed = h.updated(HearingUpdate(title="New title"))
    assert changed.title == "New title" and changed.case_number == h.case_number
    assert changed.updated_at >= h.updated_at
    with pytest.raises(ValidationError, match="needs at least one judge"):
        h.updated(HearingUpdate.model_validate({"participants": [
            {"id": "p", "display_name": "P", "role": "party"}]}))  # fmt: skip
    with pytest.raises(InvalidInput):
        h.updated(HearingUpdate())


def test_update_is_refused_once_open() -> None:
    h = Hearing.create(NewHearing.model_validate(spec())).transitioned(LifecycleAction.OPEN, at=1)
    with pytest.raises(Conflict, match="only while scheduled"):
        h.updated(HearingUpdate(title="x"))


def test_transitions_and_illegal_ones() -> None:
    h = Hearing.create(NewHearing.model_validate(spec()))
    h = h.transitioned(LifecycleAction.OPEN, at=100).transitioned(LifecycleAction.START, at=110)
    assert h.state is HearingState.IN_SESSION
    with pytest.raises(IllegalTransition):
        h.transitioned(LifecycleAction.CANCEL, at=120)


def test_the_clock_follows_the_sittings() -> None:
    h = Hearing.create(NewHearing.model_validate(spec()))
    h = h.transitioned(LifecycleAction.OPEN, at=100).transitioned(LifecycleAction.START, at=110)
    h = h.transitioned(LifecycleAction.RECESS, at=170).transitioned(LifecycleAction.RESUME, at=200)
    assert h.clock.running and h.clock.at(230) == 90.0
    h = h.transitioned(LifecycleAction.ADJOURN, at=240)
    assert not h.clock.running and h.clock.at(999) == 100.0
    # The clock survives storage.
    assert Hearing.model_validate_json(h.model_dump_json()).clock == h.clock


def test_revoking_links_bumps_only_that_participant() -> None:
    h = Hearing.create(NewHearing.model_validate(spec()))
    r = h.with_links_revoked("p")
    assert (r.generation("p"), r.generation("j")) == (1, 0)
    with pytest.raises(NotFound):
        h.with_links_revoked("nobody")


def test_stored_form_round_trips() -> None:
    h = Hearing.create(NewHearing.model_validate(spec())).with_links_revoked("p")
    assert Hearing.model_validate_json(h.model_dump_json()) == h
    assert h.scheduled_start == datetime(2026, 12, 1, 0, 30, tzinfo=UTC)
