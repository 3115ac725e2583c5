"""Append-only, hash-chained JSON-lines logs: the audit log and the transcript log.

Every entry carries `seq`, the previous entry's hash (`prev`) and its own `hash`
(SHA-256 of its canonical JSON without `hash`), so any edit, deletion or reordering
breaks the chain. Appends are flushed and fsynced before they return and are
serialised across processes with an exclusive file lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "GENESIS",
    "ChainError",
    "ChainHead",
    "ChainedLog",
    "Signer",
    "canonical_json",
    "entry_hash",
    "signed_body",
]

GENESIS = "0" * 64

Signer = Callable[[bytes], str]
"""Signs bytes with the court's key (hearing.seal.SealKey.sign): base64 of the signature."""
# Long enough for any single entry we write; the head is found within the file's tail.
_TAIL = 1 << 16


class ChainError(Exception):
    """A log whose chain does not verify."""


@dataclass(frozen=True, slots=True)
class ChainHead:
    seq: int
    hash: str


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def signed_body(entry: dict[str, Any]) -> bytes:
    """What an entry's `signature` signs: the entry without its signature and hash."""
    return canonical_json(
        {k: v for k, v in entry.items() if k not in ("hash", "signature")}
    ).encode()


def entry_hash(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


class ChainedLog:
    """One hash-chained `.jsonl` file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, fields: dict[str, Any], *, sign: Signer | None = None) -> dict[str, Any]:
        """Append an entry made of `fields` plus seq/prev/hash; durable when this returns.

        With `sign`, the entry also carries a `signature` of everything in it but the
        signature and hash (`signed_body`), its place in the chain included."""
        with open(self.path, "a+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                head = self._repair_and_read_head(f)
                entry = {**fields, "seq": head.seq + 1, "prev": head.hash}
                if sign is not None:
                    entry["signature"] = sign(signed_body(entry))
                entry["hash"] = entry_hash(entry)
                f.write(canonical_json(entry).encode() + b"\n")
                f.flush()
                os.fsync(f.fileno())
                return entry
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def repair(self) -> None:
        """Set aside a torn last line left by a crash, as the next append would (logged)."""
        if not self.path.exists():
            return
        with open(self.path, "a+b") as f:  # appending, as `append` does
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                self._repair_and_read_head(f)
                f.flush()
                os.fsync(f.fileno())
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def head(self) -> ChainHead:
        if not self.path.exists():
            return ChainHead(0, GENESIS)
        with open(self.path, "rb") as f:
            return _last_head(f)

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every complete entry, oldest first (a torn final line is not an entry)."""
        if not self.path.exists():
            return
        with open(self.path, "rb") as f:
            for line in f:
                if line.endswith(b"\n"):
                    yield json.loads(line)

    def verify(self) -> ChainHead:
        """Check every link; return the head or raise ChainError naming the first bad entry."""
        prev, seq = GENESIS, 0
        for entry in self.entries():
            seq += 1
            if entry.get("seq") != seq:
                raise ChainError(f"{self.path.name}: entry {seq} has seq {entry.get('seq')}")
            if entry.get("prev") != prev:
                raise ChainError(f"{self.path.name}: entry {seq} does not follow entry {seq - 1}")
            if entry.get("hash") != entry_hash(entry):
                raise ChainError(f"{self.path.name}: entry {seq} was altered")
            prev = entry["hash"]
        return ChainHead(seq, prev)

    def _repair_and_read_head(self, f: Any) -> ChainHead:
        # A crash can leave a torn last line. It was never acknowledged, but it is kept
        # aside rather than silently dropped, and the repair is itself logged.
        size = f.seek(0, os.SEEK_END)
        if size == 0:
            return ChainHead(0, GENESIS)
        f.seek(max(0, size - _TAIL))
        tail = f.read()
        if tail.endswith(b"\n"):
            return _head_from_tail(tail)
        cut = tail.rfind(b"\n") + 1
        torn = tail[cut:]
        good_size = size - len(torn)
        with open(self.path.with_suffix(self.path.suffix + ".torn"), "ab") as aside:
            aside.write(torn + b"\n")
            aside.flush()
            os.fsync(aside.fileno())
        f.truncate(good_size)
        head = _head_from_tail(tail[:cut]) if cut else ChainHead(0, GENESIS)
        repair: dict[str, Any] = {
            "action": "log_repaired",
            "details": {"torn_bytes": len(torn), "kept_in": self.path.name + ".torn"},
            "seq": head.seq + 1,
            "prev": head.hash,
        }
        repair["hash"] = digest = entry_hash(repair)
        f.write(canonical_json(repair).encode() + b"\n")
        return ChainHead(head.seq + 1, digest)


def _last_head(f: Any) -> ChainHead:
    size = f.seek(0, os.SEEK_END)
    f.seek(max(0, size - _TAIL))
    tail = f.read()
    return _head_from_tail(tail[: tail.rfind(b"\n") + 1])


def _head_from_tail(tail: bytes) -> ChainHead:
    lines = tail.rstrip(b"\n").rsplit(b"\n", 1)
    if not lines[-1]:
        return ChainHead(0, GENESIS)
    last = json.loads(lines[-1])
    return ChainHead(int(last["seq"]), str(last["hash"]))
