"""The README stays true: every setting and every API route it must describe is there."""

from __future__ import annotations

from pathlib import Path

from hearing.settings import Settings
from signaling.api import ENDPOINTS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"`--{name.replace('_', '-')}` | `HEARING_{name.upper()}`" in README, name


def test_every_endpoint_is_documented() -> None:
    for e in ENDPOINTS:
        path = e.path.replace("{hearing_id}", "{id}").replace("{participant_id}", "{pid}")
        assert f"`{e.method} {path}`" in README, (e.method, path)


def test_the_two_commands_are_the_scripts() -> None:
    assert "./scripts/serve" in README and "./scripts/test" in README
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "./scripts/test" in ci
