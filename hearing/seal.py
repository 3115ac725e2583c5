"""Sealing a hearing's record: a signed manifest of every file, checked byte for byte.

When a hearing is over and its recordings and transcript are complete, the server
writes `manifest.json` into the hearing's folder: the size and SHA-256 of every file
of the record, and the heads of its hash-chained logs, signed with the server's
Ed25519 key. The logs go on after the seal (transcript corrections and audit entries
are new links of their chains), so for a log the manifest covers its bytes up to the
seal, and `verify_record` checks that those bytes are unchanged and that every later
entry still chains onto them. A chain shows that an entry was added, not who added it:
entries after the seal (transcript corrections, the participants' confirmations, audit
entries) must also carry the court's signature. Anything else that changed, went missing or was
added afterwards is reported.

    key = SealKey.load_or_create(data_dir / "seal.key")
    manifest = seal_record(folder, key, hearing_id=..., case_number=...)
    report = verify_record(folder, trusted_key=key.public_text)
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .chain import ChainedLog, ChainError, canonical_json, signed_body

__all__ = ["MANIFEST", "SealKey", "SealReport", "seal_record", "verify_record"]

MANIFEST = "manifest.json"
FORMAT = "hearing-record-seal/1"
# The hash-chained logs: they may grow after the seal, only by chained entries that carry
# the court's signature (the chain alone shows that an entry was added, not who added it).
LOGS = ("audit.jsonl", "transcript.jsonl")
# Files sealed for their record content: hearing.json also holds who may still connect
# (link generations, bumped when links are revoked, after adjournment too), which is
# access control, not the record.
VIEWS = {"hearing.json": ("link_generation", "updated_at")}
_BLOCK = 1 << 20


class SealKey:
    """The server's Ed25519 signing key, kept in a file only its owner can read."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public_text = _public_text(private.public_key())
        """The public key, base64 of its 32 raw bytes: what a verifier is given."""

    @classmethod
    def load_or_create(cls, path: Path) -> SealKey:
        """The key in `path`, made (mode 0600) on first use."""
        if not path.exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            # Processes sharing a data dir may start together: the first key written wins.
            with contextlib.suppress(FileExistsError):
                _write_new(path, pem, mode=0o600)
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        return cls(private)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the raw public key, in hex: short enough to read out and compare."""
        return hashlib.sha256(base64.b64decode(self.public_text)).hexdigest()

    def sign(self, data: bytes) -> str:
        return base64.b64encode(self._private.sign(data)).decode()


@dataclass(slots=True)
class SealReport:
    """What `verify_record` found: `problems` (the record is not as sealed) and notes."""

    folder: Path
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0
    sealed_at: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """The report as a clerk reads it, the verdict last."""
        out = [f"problem: {p}" for p in self.problems] + [f"note: {n}" for n in self.notes]
        if self.ok:
            out.append(f"VERIFIED: {self.files} files as sealed at {self.sealed_at}")
        else:
            out.append(f"NOT VERIFIED: {len(self.problems)} problem(s) in {self.folder}")
        return out


def seal_record(
    folder: Path, key: SealKey, *, hearing_id: str, case_number: str, now: datetime | None = None
) -> dict[str, Any]:
    """Write and return the signed manifest of the record in `folder` (blocking: run it in
    a worker thread). Sealing a sealed record is refused: the first seal stands."""
    target = folder / MANIFEST
    if target.exists():
        raise FileExistsError(f"the record of {hearing_id} is already sealed ({target})")
    for log in LOGS:
        # A line torn by a crash is set aside now (and that is logged), so the next
        # append does not change what is sealed.
        ChainedLog(folder / log).repair()
    files: list[dict[str, Any]] = []
    logs: list[dict[str, Any]] = []
    for path in _record_files(folder):
        name = path.relative_to(folder).as_posix()
        if name in VIEWS:
            files.append({"path": name, "view": "record", "sha256": _view_digest(path)})
        elif name in LOGS:
            with open(path, "rb") as held:
                fcntl.flock(held, fcntl.LOCK_SH)  # appends wait: the head and bytes agree
                head = ChainedLog(path).verify()  # a broken chain is not sealed over
                size, digest = _hash(path)
            logs.append({"path": name, "size": size, "sha256": digest,
                         "entries": head.seq, "head": head.hash})  # fmt: skip
        else:
            size, digest = _hash(path)
            files.append({"path": name, "size": size, "sha256": digest})
    body: dict[str, Any] = {
        "format": FORMAT,
        "hearing_id": hearing_id,
        "case_number": case_number,
        "sealed_at": (now or datetime.now(UTC)).isoformat(),
        "files": files,
        "logs": logs,
        "key": {"algorithm": "Ed25519", "public_key": key.public_text},
    }
    manifest = {**body, "signature": key.sign(canonical_json(body).encode())}
    _write_new(target, json.dumps(manifest, indent=2, ensure_ascii=False).encode() + b"\n")
    return manifest


def verify_record(folder: Path, *, trusted_key: str | None = None) -> SealReport:
    """Check the record in `folder` against its manifest (blocking).

    `trusted_key`: the court's published public key; without it the signature is only
    checked against the key named in the manifest (which proves integrity, not origin).
    """
    report = SealReport(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_bytes())
    except FileNotFoundError:
        report.problems.append(f"{MANIFEST} is missing: the record was never sealed")
        return report
    except ValueError as e:
        report.problems.append(f"{MANIFEST} is not valid JSON: {e}")
        return report
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        report.problems.append(f"{MANIFEST} is not a seal this program knows ({FORMAT})")
        return report
    _check_signature(manifest, trusted_key, report)
    if report.problems:
        return report  # nothing in a manifest that is not the court's can be relied on
    sealed_at = manifest.get("sealed_at")
    report.sealed_at = sealed_at if isinstance(sealed_at, str) else None
    listed: set[str] = set()
    court = _public_key(trusted_key or str(manifest.get("key", {}).get("public_key", "")))
    for group in ("files", "logs"):
        for item in manifest.get(group, []):
            if not _well_formed(item):
                report.problems.append(f"{MANIFEST} lists {item!r}, which is no file of a record")
                continue
            listed.add(item["path"])
            if group == "files":
                _check_file(folder, item, report)
            else:
                _check_log(folder, item, report, court)
    for path in _record_files(folder):
        name = path.relative_to(folder).as_posix()
        if name not in listed:
            report.problems.append(f"{name} is not in the sealed record (added after the seal)")
    report.files = len(listed)
    return report


def _check_signature(manifest: dict[str, Any], trusted: str | None, report: SealReport) -> None:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    named = str(manifest.get("key", {}).get("public_key", ""))
    if trusted is not None and named != trusted:
        report.problems.append("the manifest was signed with another key than the court's")
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(trusted or named))
        public.verify(
            base64.b64decode(manifest.get("signature", "")), canonical_json(body).encode()
        )
    except (InvalidSignature, ValueError):
        report.problems.append("the manifest's signature does not match its contents")


def _check_file(folder: Path, item: dict[str, Any], report: SealReport) -> None:
    path = folder / item["path"]
    if not path.is_file():
        report.problems.append(f"{item['path']} is missing")
        return
    if item.get("view") == "record":
        if _view_digest(path) != item["sha256"]:
            report.problems.append(f"{item['path']}: the hearing's record in it was altered")
        return
    size, digest = _hash(path)
    if size != item["size"]:
        report.problems.append(f"{item['path']} is {size} bytes, sealed at {item['size']}")
    elif digest != item["sha256"]:
        report.problems.append(f"{item['path']} was altered (SHA-256 differs)")


def _check_log(
    folder: Path, item: dict[str, Any], report: SealReport, court: Ed25519PublicKey
) -> None:
    name, path = item["path"], folder / item["path"]
    if not path.is_file():
        report.problems.append(f"{name} is missing")
        return
    size, digest = _hash(path, limit=item["size"])
    if size < item["size"] or digest != item["sha256"]:
        report.problems.append(f"{name}: what was sealed was altered or cut")
        return
    try:
        ChainedLog(path).verify()
    except ChainError as e:
        report.problems.append(f"{name}: entries after the seal break the chain: {e}")
        return
    # What was chained on after the seal, for the reader of the report (corrections,
    # confirmations...); each must carry the court's signature.
    kinds: Counter[str] = Counter()
    for entry in ChainedLog(path).entries():
        if entry.get("seq", 0) <= item["entries"]:
            continue
        kind = str(entry.get("action", "?"))
        kinds[kind] += 1
        if not _signed(entry, court):
            report.problems.append(
                f"{name}: entry {entry.get('seq')} ({kind}), added after the seal, is not "
                "signed by the court"
            )
    if kinds:
        added = sum(kinds.values())
        entries = "entry" if added == 1 else "entries"
        which = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        report.notes.append(
            f"{name}: {added} {entries} added after the seal, chained onto it ({which})"
        )


def _signed(entry: dict[str, Any], court: Ed25519PublicKey) -> bool:
    try:
        court.verify(base64.b64decode(str(entry.get("signature", ""))), signed_body(entry))
    except (InvalidSignature, ValueError):
        return False
    return True


def _public_key(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text))
    except ValueError:
        # No usable key: the manifest's signature check has said so; nothing verifies.
        return Ed25519PrivateKey.generate().public_key()


def _well_formed(item: Any) -> bool:
    """A manifest entry naming a file inside the hearing's folder."""
    if not isinstance(item, dict) or not isinstance(item.get("path"), str):
        return False
    path = Path(item["path"])
    return not path.is_absolute() and ".." not in path.parts and bool(path.parts)


def _view_digest(path: Path) -> str:
    """SHA-256 of a VIEWS file's record content: its JSON without the access state."""
    try:
        data = json.loads(path.read_bytes())
    except ValueError:
        return "not JSON"
    if isinstance(data, dict):
        for name in VIEWS[path.name]:
            data.pop(name, None)
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def _record_files(folder: Path) -> Iterator[Path]:
    """Every file of the record: all but the manifest and hidden files (locks)."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and relative.as_posix() != MANIFEST:
            if not any(part.startswith(".") for part in relative.parts):
                yield path


def _hash(path: Path, *, limit: int | None = None) -> tuple[int, str]:
    """Size and SHA-256 of the file (of its first `limit` bytes, if given)."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while limit is None or size < limit:
            block = f.read(_BLOCK if limit is None else min(_BLOCK, limit - size))
            if not block:
                break
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _write_new(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write a complete new file at `path`; FileExistsError if there is one already."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.link(temporary, path)  # atomic, and never over an existing file
    finally:
        os.unlink(temporary)


def _public_text(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()
