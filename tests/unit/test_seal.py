"""The seal: a signed manifest that catches any change to the record, byte for byte."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import pytest

from hearing.audit import AuditLog, Outcome
from hearing.chain import ChainedLog, canonical_json
from hearing.seal import MANIFEST, SealKey, seal_record, verify_record
from hearing.sealer import RecordSealer


def record(folder: Path) -> Path:
    """A small but complete hearing folder."""
    (folder / "recordings" / "playback").mkdir(parents=True)
    (folder / "hearing.json").write_text('{"id": "h-1", "case_number": "2026가단1"}')
    audit = ChainedLog(folder / "audit.jsonl")
    for action in ("hearing_open", "hearing_start", "hearing_adjourn"):
        audit.append({"actor": "judge", "action": action})
    ChainedLog(folder / "transcript.jsonl").append({"action": "segment", "segment": {"t": "네"}})
    (folder / "recordings" / "h-1_kim_s001.webm").write_bytes(bytes(range(256)) * 40)
    (folder / "recordings" / "playback" / "h-1_all.webm").write_bytes(b"\x1a\x45\xdf\xa3" * 9)
    (folder / ".lock").write_text("")  # not part of the record
    return folder


@pytest.fixture
def key(tmp_path: Path) -> SealKey:
    return SealKey.load_or_create(tmp_path / "keys" / "seal.key")


@pytest.fixture
def sealed(tmp_path: Path, key: SealKey) -> Path:
    folder = record(tmp_path / "h-1")
    seal_record(folder, key, hearing_id="h-1", case_number="2026가단1")
    return folder


def problems(folder: Path, key: SealKey) -> list[str]:
    return verify_record(folder, trusted_key=key.public_text).problems


def test_a_sealed_record_verifies(sealed: Path, key: SealKey) -> None:
    report = verify_record(sealed, trusted_key=key.public_text)
    assert report.ok, report.problems
    assert report.files == 5 and report.lines()[-1].startswith("VERIFIED: 5 files")
    manifest = json.loads((sealed / MANIFEST).read_text())
    assert manifest["case_number"] == "2026가단1"  # non-ASCII kept as it is
    assert [f["path"] for f in manifest["logs"]] == ["audit.jsonl", "transcript.jsonl"]
    assert manifest["logs"][0]["entries"] == 3


def test_the_key_is_private_and_kept(tmp_path: Path, key: SealKey) -> None:
    path = tmp_path / "keys" / "seal.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert SealKey.load_or_create(path).public_text == key.public_text
    assert len(key.fingerprint) == 64


def test_entries_chained_after_the_seal_are_noted_not_faulted(sealed: Path, key: SealKey) -> None:
    transcript = ChainedLog(sealed / "transcript.jsonl")
    transcript.append({"action": "correction", "text": "예"}, sign=key.sign)
    AuditLog(sealed / "audit.jsonl", sign=key.sign).record("clerk", "downloaded")
    report = verify_record(sealed, trusted_key=key.public_text)
    assert report.ok, report.problems
    assert "transcript.jsonl: 1 entry added after the seal, chained onto it (1 correction)" in (
        report.notes)  # fmt: skip
    for _ in range(2):
        transcript.append({"action": "confirmation", "decision": "confirmed"}, sign=key.sign)
    report = verify_record(sealed, trusted_key=key.public_text)
    assert report.ok and "transcript.jsonl: 3 entries added after the seal, chained onto it " \
        "(2 confirmation, 1 correction)" in report.notes, report.notes  # fmt: skip


def test_an_entry_added_after_the_seal_must_be_signed_by_the_court(
    sealed: Path, key: SealKey, tmp_path: Path
) -> None:
    transcript = ChainedLog(sealed / "transcript.jsonl")
    transcript.append({"action": "confirmation", "decision": "confirmed"}, sign=key.sign)
    assert verify_record(sealed, trusted_key=key.public_text).ok
    # Anyone who can write the files can chain an entry on; only the court can sign it.
    transcript.append({"action": "confirmation", "participant_id": "kim", "decision": "confirmed"})
    other = SealKey.load_or_create(tmp_path / "other" / "seal.key")
    transcript.append({"action": "correction", "text": "아니요"}, sign=other.sign)
    unsigned = "added after the seal, is not signed by the court"
    assert problems(sealed, key) == [
        f"transcript.jsonl: entry 3 (confirmation), {unsigned}",
        f"transcript.jsonl: entry 4 (correction), {unsigned}",
    ]
    # So for the audit log: who did what with the record after the seal.
    AuditLog(sealed / "audit.jsonl").record("intruder", "downloaded")
    assert problems(sealed, key)[0] == f"audit.jsonl: entry 4 (downloaded), {unsigned}"
    assert len(problems(sealed, key)) == 3


def test_a_changed_recording_is_caught(sealed: Path, key: SealKey) -> None:
    path = sealed / "recordings" / "h-1_kim_s001.webm"
    data = bytearray(path.read_bytes())
    data[5000] ^= 1
    path.write_bytes(bytes(data))
    assert problems(sealed, key) == ["recordings/h-1_kim_s001.webm was altered (SHA-256 differs)"]
    path.write_bytes(bytes(data[:-10]))
    assert problems(sealed, key) == ["recordings/h-1_kim_s001.webm is 10230 bytes, sealed at 10240"]
    path.unlink()
    assert problems(sealed, key) == ["recordings/h-1_kim_s001.webm is missing"]


def test_a_rewritten_log_is_caught(sealed: Path, key: SealKey) -> None:
    path = sealed / "audit.jsonl"
    path.write_text(path.read_text().replace("hearing_start", "hearing_stop"))
    assert problems(sealed, key) == ["audit.jsonl: what was sealed was altered or cut"]


def test_an_entry_that_breaks_the_chain_after_the_seal_is_caught(
    sealed: Path, key: SealKey
) -> None:
    with open(sealed / "audit.jsonl", "a") as f:
        f.write('{"seq": 4, "prev": "forged", "hash": "x", "action": "inserted"}\n')
    (found,) = problems(sealed, key)
    assert found.startswith("audit.jsonl: entries after the seal break the chain")


def test_a_file_added_after_the_seal_is_caught(sealed: Path, key: SealKey) -> None:
    (sealed / "recordings" / "extra.webm").write_bytes(b"later")
    assert problems(sealed, key) == [
        "recordings/extra.webm is not in the sealed record (added after the seal)"
    ]


def test_a_forged_manifest_or_another_key_is_caught(
    sealed: Path, key: SealKey, tmp_path: Path
) -> None:
    path = sealed / MANIFEST
    manifest = json.loads(path.read_text())
    manifest["files"][-1]["size"] += 1
    path.write_text(json.dumps(manifest))
    assert "the manifest's signature does not match its contents" in problems(sealed, key)

    other = SealKey.load_or_create(tmp_path / "other.key")
    folder = record(tmp_path / "h-2")
    seal_record(folder, other, hearing_id="h-2", case_number="x")
    assert verify_record(folder).ok  # consistent in itself...
    assert problems(folder, key) == [  # ...but not signed by this court
        "the manifest was signed with another key than the court's",
        "the manifest's signature does not match its contents",
    ]


def test_an_unsealed_record_and_a_second_seal(sealed: Path, key: SealKey, tmp_path: Path) -> None:
    unsealed = record(tmp_path / "h-3")
    report = verify_record(unsealed)
    assert not report.ok and report.problems == [
        f"{MANIFEST} is missing: the record was never sealed"
    ]
    with pytest.raises(FileExistsError, match="already sealed"):
        seal_record(sealed, key, hearing_id="h-1", case_number="2026가단1")


def test_a_line_torn_by_a_crash_is_set_aside_before_sealing(tmp_path: Path, key: SealKey) -> None:
    folder = record(tmp_path / "h-4")
    with open(folder / "transcript.jsonl", "ab") as f:
        f.write(b'{"action": "segment", "seg')  # the process died mid-append
    seal_record(folder, key, hearing_id="h-4", case_number="1")
    assert (folder / "transcript.jsonl.torn").read_bytes() == b'{"action": "segment", "seg\n'
    ChainedLog(folder / "transcript.jsonl").append(
        {"action": "correction", "text": "예"}, sign=key.sign
    )
    report = verify_record(folder, trusted_key=key.public_text)
    assert report.ok, report.problems  # the next append changed nothing that was sealed


def test_revoked_links_are_not_a_change_to_the_record(sealed: Path, key: SealKey) -> None:
    path = sealed / "hearing.json"
    hearing = json.loads(path.read_text())
    hearing |= {"link_generation": {"kim": 2}, "updated_at": "2026-12-01T00:00:00+00:00"}
    path.write_text(json.dumps(hearing, indent=4))
    assert verify_record(sealed, trusted_key=key.public_text).ok
    hearing["case_number"] = "2026가단2"
    path.write_text(json.dumps(hearing))
    assert problems(sealed, key) == ["hearing.json: the hearing's record in it was altered"]


def test_a_manifest_naming_files_outside_the_record_is_refused(
    tmp_path: Path, key: SealKey
) -> None:
    folder = record(tmp_path / "h-5")
    manifest = seal_record(folder, key, hearing_id="h-5", case_number="1")
    manifest["files"].append({"path": "../../etc/passwd", "size": 1, "sha256": "x"})
    body = {k: v for k, v in manifest.items() if k != "signature"}
    manifest["signature"] = key.sign(canonical_json(body).encode())
    (folder / MANIFEST).write_text(json.dumps(manifest))
    (found,) = problems(folder, key)
    assert "which is no file of a record" in found and "passwd" in found


async def test_checks_asked_for_at_once_share_one_reading_of_the_record(
    sealed: Path, key: SealKey
) -> None:
    sealer = RecordSealer(sealed.parent, key)
    first, second = await asyncio.gather(sealer.check("h-1"), sealer.check("h-1"))
    assert first.ok and first is second  # one check, both answered
    later = await sealer.check("h-1")
    assert later.ok and later is not first  # asked afterwards: the record is read again
    (sealed / "recordings" / "h-1_kim_s001.webm").write_bytes(b"changed")
    assert not (await sealer.check("h-1")).ok
    await sealer.close()


async def test_a_record_is_settled_once_sealed_or_once_its_sealing_failed(
    tmp_path: Path, key: SealKey
) -> None:
    folder = record(tmp_path / "h-1")
    sealer = RecordSealer(tmp_path, key)
    assert not await sealer.settled("h-1")  # still being completed
    AuditLog(folder / "audit.jsonl").record(
        "server", "record_seal_failed", target="h-1", outcome=Outcome.FAILED
    )  # by another process sharing the data dir
    assert await sealer.settled("h-1")
    other = record(tmp_path / "h-2")
    seal_record(other, key, hearing_id="h-2", case_number="2026가단2")
    assert await sealer.settled("h-2")
