"""kill -9 while recording: every file stays playable, and recover() closes them on restart."""

from __future__ import annotations

import asyncio
import json
import pickle
import signal
import sys
import time
from pathlib import Path

import pytest

from hearing.audit import AuditLog
from recording import SegmentStatus, recover
from recording.journal import Journal
from tests.recording.conftest import Clips
from tests.recording.synthetic import decode_all

ROOT = Path(__file__).resolve().parents[2]
RECORD_FOR = 4.0
"""Seconds of real-time recording before the kill."""


async def _record_then_kill(hearing_dir: Path, clips_path: Path) -> float:
    """Run the child until it has recorded RECORD_FOR seconds, SIGKILL it; the kill's time."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.recording.crash_child",
        str(hearing_dir),
        str(clips_path),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None
    try:
        async with asyncio.timeout(60):
            while True:
                line = (await child.stdout.readline()).decode()
                if not line:
                    pytest.fail(f"the recording process ended by itself ({await child.wait()})")
                if line.startswith("recorded") and float(line.split()[1]) >= RECORD_FOR:
                    break
        killed_at = time.time()
        child.send_signal(signal.SIGKILL)
    finally:
        if child.returncode is None:
            child.kill()
        await child.stdout.read()
        await child.wait()
    assert child.returncode == -signal.SIGKILL
    return killed_at


async def test_files_survive_kill_9_and_recover_closes_them(clips: Clips, tmp_path: Path) -> None:
    clips_path = tmp_path / "clips.pickle"
    clips_path.write_bytes(pickle.dumps((clips.audio, clips.video)))
    hearing_dir = tmp_path / "hearing"
    hearing_dir.mkdir()
    killed_at = await _record_then_kill(hearing_dir, clips_path)

    folder = hearing_dir / "recordings"
    unfinished = sorted(folder.glob("*.recording"))
    assert len(unfinished) == 2  # one file per participant, both cut short
    for marker in unfinished:
        record = json.loads(marker.read_text())
        times = decode_all(folder / record["file"])  # decodes to the end without an error
        for kind in ("audio", "video"):
            assert record["start_wall"] + max(times[kind]) >= killed_at - 2.0, (marker, kind)

    audit = AuditLog(hearing_dir / "audit.jsonl")
    recovered = await recover(hearing_dir, audit)

    assert sorted(r.record.file for r in recovered) == sorted(
        m.name.removesuffix(".recording") for m in unfinished
    )
    assert not list(folder.glob("*.recording"))
    for result in recovered:
        path = folder / result.record.file
        times = decode_all(path)
        assert result.record.status is SegmentStatus.RECOVERED
        assert result.original == folder / "crashed" / result.record.file
        assert result.original.is_file()
        assert result.record.start_wall + result.duration >= killed_at - 2.0
        assert max(times["audio"]) == pytest.approx(result.duration, abs=0.05)
    entries = [e for e in audit.entries() if e["action"] == "recording_recovered"]
    assert sorted(e["details"]["file"] for e in entries) == sorted(r.record.file for r in recovered)
    assert {r.status for r in Journal(folder).records()} == {SegmentStatus.RECOVERED}
    assert await recover(hearing_dir, audit) == []  # nothing left to do
