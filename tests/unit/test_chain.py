"""The hash-chained logs: durable appends, tamper detection, torn-line repair."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hearing.audit import AuditLog, Outcome
from hearing.chain import GENESIS, ChainedLog, ChainError, signed_body


def test_entries_chain_and_verify(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    first = log.record("court-system", "hearing_created", target="h-1")
    second = log.record("alice", "connect", outcome=Outcome.REFUSED, details={"code": "x"})
    assert (first["seq"], first["prev"]) == (1, GENESIS)
    assert (second["seq"], second["prev"]) == (2, first["hash"])
    assert log.verify() == 2
    assert [e["action"] for e in log.entries()] == ["hearing_created", "connect"]


@pytest.mark.parametrize("tamper", ["edit", "delete", "swap"])
def test_any_tampering_is_detected(tmp_path: Path, tamper: str) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    for i in range(3):
        log.record("judge", f"action_{i}")
    lines = path.read_text().splitlines()
    if tamper == "edit":
        entry = json.loads(lines[1])
        entry["actor"] = "intruder"
        lines[1] = json.dumps(entry)
    elif tamper == "delete":
        del lines[1]
    else:
        lines[0], lines[1] = lines[1], lines[0]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ChainError):
        log.verify()


def test_a_torn_last_line_is_kept_aside_and_the_repair_logged(tmp_path: Path) -> None:
    path = tmp_path / "transcript.jsonl"
    log = ChainedLog(path)
    log.append({"text": "one"})
    with open(path, "ab") as f:
        f.write(b'{"text": "half writ')  # a crash in the middle of a write
    log.append({"text": "two"})
    entries = list(log.entries())
    assert [e.get("text", e.get("action")) for e in entries] == ["one", "log_repaired", "two"]
    assert entries[1]["details"]["torn_bytes"] == len(b'{"text": "half writ')
    assert (tmp_path / "transcript.jsonl.torn").read_bytes() == b'{"text": "half writ\n'
    assert log.verify().seq == 3


def test_non_ascii_is_stored_readably(tmp_path: Path) -> None:
    log = ChainedLog(tmp_path / "t.jsonl")
    log.append({"text": "원고 측 진술합니다 / 原告陈述"})
    assert "원고 측 진술합니다 / 原告陈述" in (tmp_path / "t.jsonl").read_text(encoding="utf-8")
    assert log.verify().seq == 1


def test_a_signed_entry_signs_its_place_in_the_chain_too(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    log = ChainedLog(tmp_path / "transcript.jsonl")
    log.append({"action": "segment", "text": "네"})
    entry = log.append(
        {"action": "correction", "text": "예"},
        sign=lambda data: base64.b64encode(key.sign(data)).decode(),
    )
    signature = base64.b64decode(entry["signature"])
    body = signed_body(entry)
    key.public_key().verify(signature, body)  # raises if it does not match
    assert json.loads(body) == {"action": "correction", "text": "예", "seq": 2,
                                "prev": log.entries().__next__()["hash"]}  # fmt: skip
    assert log.verify().seq == 2  # the signature is part of what is hashed
