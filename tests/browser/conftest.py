"""Fixtures shared by the browser tests."""

from __future__ import annotations

import pytest

from tests.browser.desk_hearing import Voices, make_voices


@pytest.fixture(scope="session")
def voices(tmp_path_factory: pytest.TempPathFactory) -> Voices:
    """The sentences people say in the desk's hearings (espeak-ng, made once)."""
    return make_voices(tmp_path_factory.mktemp("voices"))
