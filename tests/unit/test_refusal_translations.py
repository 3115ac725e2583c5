"""Every refusal a person can meet is said in both page languages: each stable reason
code the server sends has its wording in English and Chinese (web/src/i18n.js), with
only the blanks the page knows how to fill from the refusal's details."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hearing.errors import Reason

I18N = Path(__file__).resolve().parents[2] / "web" / "src" / "i18n.js"
# Codes that are refusals in their own right (no more specific reason is ever given).
CODES = ("missing_token", "invalid_token", "token_expired", "token_revoked", "unknown_event",
         "unsupported_language")  # fmt: skip
# What web/src/refusals.js fills in from the details.
BLANKS = {"name", "role", "state", "device"}

_ENTRY = re.compile(r'^\s*"([\w.]+)":\s*((?:"(?:[^"\\]|\\.)*"\s*)+),?$', re.MULTILINE)


def tables() -> dict[str, dict[str, str]]:
    source = I18N.read_text()
    en, zh = source.split("\nconst zh = {", 1)
    # Values may sit on the next line after a long key.
    found = {}
    for lang, part in (("en", en), ("zh", zh.split("\nconst tables", 1)[0])):
        joined = re.sub(r':\n\s+"', ': "', part)
        found[lang] = {key: value for key, value in _ENTRY.findall(joined)}
    return found


def test_the_two_languages_have_the_same_strings() -> None:
    both = tables()
    assert len(both["en"]) > 300
    assert set(both["en"]) == set(both["zh"]), set(both["en"]) ^ set(both["zh"])


@pytest.mark.parametrize("code", [r.value for r in Reason] + list(CODES))
def test_every_refusal_is_worded_in_both_languages(code: str) -> None:
    both = tables()
    blanks = {}
    for lang in ("en", "zh"):
        text = both[lang].get(f"refusal.{code}")
        assert text, (lang, code)
        blanks[lang] = set(re.findall(r"\{(\w+)\}", text))
        assert blanks[lang] <= BLANKS, (lang, code, blanks[lang])
    assert blanks["en"] == blanks["zh"], (code, blanks)
