"""Recording follows the hearing, tells people when the disk or a write fails, reads the stream."""

from __future__ import annotations

import asyncio
import resource
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import av
import pytest

from hearing.audit import AuditLog
from hearing.errors import IllegalTransition
from recording import (
    AlertKind,
    Recorder,
    RecordingAlert,
    RecordingSettings,
    SegmentStatus,
)
from recording.journal import Journal
from recording.webm import probe_duration
from tests.recording.conftest import Clips
from tests.recording.synthetic import Publisher, Step, decode_all, encode_h264, play

T0 = 1_800_000_000.0


class Alerts:
    """Collects a recorder's alerts; lets a test wait for one of a kind."""

    def __init__(self) -> None:
        self.seen: list[RecordingAlert] = []
        self._changed = asyncio.Event()

    def __call__(self, alert: RecordingAlert) -> None:
        self.seen.append(alert)
        self._changed.set()

    async def wait_for(self, kind: AlertKind) -> RecordingAlert:
        async with asyncio.timeout(10):
            while True:
                for alert in self.seen:
                    if alert.kind is kind:
                        return alert
                self._changed.clear()
                await self._changed.wait()


@pytest.fixture
def hearing_dir(tmp_path: Path) -> Path:
    return tmp_path / "hearing"


def files(hearing_dir: Path) -> list[str]:
    return sorted(p.name for p in (hearing_dir / "recordings").glob("*.webm"))


async def test_nothing_is_recorded_outside_the_session(hearing_dir: Path, clips: Clips) -> None:
    hearing_dir.mkdir()
    recorder = Recorder(hearing_dir, "h1")
    publisher = Publisher("party", T0, [clips.audio.until(8), clips.video.until(8)])
    try:
        # In the lobby for 2 s, in session for 2 s, then a recess until the adjournment.
        steps = [(T0 + 2, "start"), (T0 + 4, "pause"), (T0 + 8.5, "stop")]
        await play(recorder, [publisher], steps)
    finally:
        await recorder.aclose()
    assert files(hearing_dir) == ["h1_party_s001.webm"]
    (segment,) = recorder.segments()
    assert segment.offset == pytest.approx(0.0, abs=0.05)
    assert probe_duration(hearing_dir / "recordings" / segment.file) == pytest.approx(2.0, abs=0.1)
    times = decode_all(hearing_dir / "recordings" / segment.file)
    assert max(times["audio"] + times["video"]) < 2.0
    # 6 of the 8 seconds were not in session: their frames were dropped, and counted.
    dropped = recorder.stats.dropped_not_in_session
    assert dropped == pytest.approx(6 * (50 + 30), rel=0.05)


async def test_lifecycle_steps_out_of_order_are_refused(hearing_dir: Path) -> None:
    recorder = Recorder(hearing_dir, "h1")
    try:
        with pytest.raises(IllegalTransition, match="cannot pause a recording that is idle"):
            await recorder.pause()
        await recorder.start()
        with pytest.raises(IllegalTransition):
            await recorder.resume()
        assert await recorder.stop() == []
    finally:
        await recorder.aclose()


async def test_low_disk_space_is_announced(hearing_dir: Path, clips: Clips) -> None:
    alerts = Alerts()
    settings = RecordingSettings(min_free_bytes=2**62)
    recorder = Recorder(hearing_dir, "h1", settings=settings, on_alert=alerts)
    try:
        await recorder.start()
        alert = await alerts.wait_for(AlertKind.DISK_LOW)
    finally:
        await recorder.aclose()
    assert alert.hearing_id == "h1"
    assert alert.free_bytes is not None and alert.free_bytes < 2**62
    assert "free space now or the recording will stop" in alert.message


async def test_a_removed_folder_is_a_loud_error(hearing_dir: Path, clips: Clips) -> None:
    hearing_dir.mkdir()
    alerts = Alerts()
    audit = AuditLog(hearing_dir / "audit.jsonl")
    recorder = Recorder(hearing_dir, "h1", audit=audit, on_alert=alerts)
    publisher = Publisher("party", T0, [clips.audio.until(4), clips.video.until(4)])

    def remove_folder() -> None:
        shutil.rmtree(hearing_dir / "recordings")

    steps: list[tuple[float, Step]] = [
        (T0, "start"),
        (T0 + 1, remove_folder),
        (T0 + 2, "pause"),
        (T0 + 2.5, "resume"),
        (T0 + 4, "stop"),
    ]
    try:
        await play(recorder, [publisher], steps)  # no exception: the hearing goes on
        alert = await alerts.wait_for(AlertKind.WRITE_FAILED)
    finally:
        await recorder.aclose()
    assert alert.participant_id == "party"
    assert alert.file is not None and alert.file.startswith("h1_party_s00")
    assert "recording of participant party failed" in alert.message
    assert recorder.stats.write_errors >= 1
    failures = [e for e in audit.entries() if e["action"] == "recording_failed"]
    assert failures and failures[0]["target"] == "party"


@pytest.fixture
def file_size_limit() -> Iterator[int]:
    """Writes past 300 kB fail (EFBIG) during the test: a disk that refuses more."""
    limit = 300_000
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield limit
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


async def test_a_failing_write_is_reported_and_what_was_written_kept(
    hearing_dir: Path, clips: Clips, file_size_limit: int
) -> None:
    alerts = Alerts()
    recorder = Recorder(hearing_dir, "h1", on_alert=alerts)
    publisher = Publisher("party", T0, [clips.audio.until(5), clips.video.until(5)])
    try:
        await play(recorder, [publisher], [(T0, "start")])
        alert = await alerts.wait_for(AlertKind.WRITE_FAILED)
        await recorder.stop()
    finally:
        await recorder.aclose()
    assert alert.file == "h1_party_s001.webm"
    path = hearing_dir / "recordings" / alert.file
    assert path.stat().st_size <= file_size_limit
    times = decode_all(path)  # what reached the disk still plays
    assert max(times["video"]) > 1.0
    (record,) = [r for r in Journal(hearing_dir / "recordings").records() if r.file == alert.file]
    assert record.status is SegmentStatus.FAILED


async def test_video_size_is_read_from_the_stream(hearing_dir: Path, clips: Clips) -> None:
    recorder = Recorder(hearing_dir, "h1")
    publishers = [
        Publisher("small", T0, [clips.audio.until(2), clips.small]),
        Publisher("large", T0, [clips.audio.until(2), clips.video.until(2)]),
    ]
    try:
        await play(recorder, publishers, [(T0, "start"), (T0 + 2.5, "stop")])
    finally:
        await recorder.aclose()
    sizes = {}
    for segment in recorder.segments():
        (video,) = [s for s in segment.streams if s.kind == "video"]
        with av.open(str(hearing_dir / "recordings" / segment.file)) as f:
            stream = f.streams.video[0]
            assert (stream.width, stream.height) == (video.width, video.height)
        sizes[segment.participant_id] = (video.width, video.height)
    assert sizes == {"small": (320, 240), "large": (640, 480)}


async def test_h264_is_recorded_as_received_into_matroska(hearing_dir: Path, clips: Clips) -> None:
    h264 = encode_h264(3, size=(320, 180))  # a key frame each second
    recorder = Recorder(hearing_dir, "h1")
    publisher = Publisher("party", T0, [clips.audio.until(3), h264])
    steps = [(T0, "start"), (T0 + 0.9, "pause"), (T0 + 1.2, "resume"), (T0 + 3.5, "stop")]
    try:
        await play(recorder, [publisher], steps)
    finally:
        await recorder.aclose()
    first, second = recorder.segments()
    assert (first.file, second.file) == ("h1_party_s001.mkv", "h1_party_s002.mkv")  # not WebM
    assert second.offset == pytest.approx(0.9, abs=0.05)  # the audio from the resumption on
    for segment, frames in ((first, 27), (second, 30)):  # video from a key frame on (2 s)
        path = hearing_dir / "recordings" / segment.file
        times = decode_all(path)
        assert len(times["video"]) == pytest.approx(frames, abs=1)
        assert min(times["audio"]) < 0.05
        with av.open(str(path)) as f:
            assert f.streams.video[0].codec_context.name == "h264"
            assert (f.streams.video[0].width, f.streams.video[0].height) == (320, 180)


async def test_a_reconnect_starts_a_new_segment(hearing_dir: Path, clips: Clips) -> None:
    recorder = Recorder(hearing_dir, "h1")
    media = [clips.audio.until(3), clips.video.until(3)]
    publishers = [
        Publisher("party", T0, media, seed=1),
        Publisher("party", T0 + 5, media, seed=2),  # dropped, came back with new tracks
    ]
    try:
        await play(recorder, publishers, [(T0, "start"), (T0 + 9, "stop")])
    finally:
        await recorder.aclose()
    first, second = recorder.segments()
    assert (first.file, first.reason) == ("h1_party_s001.webm", "left")
    assert (second.file, second.reason) == ("h1_party_s002.webm", "left")
    assert second.offset == pytest.approx(5.0, abs=0.1)
    for segment in (first, second):
        assert probe_duration(hearing_dir / "recordings" / segment.file) == pytest.approx(
            3.0, abs=0.1
        )


async def test_a_camera_switched_on_later_starts_a_new_segment(
    hearing_dir: Path, clips: Clips
) -> None:
    recorder = Recorder(hearing_dir, "h1")
    publishers = [
        Publisher("party", T0, [clips.audio.until(4)]),
        Publisher("party", T0 + 2, [clips.video.until(2)]),
    ]
    try:
        await play(recorder, publishers, [(T0, "start"), (T0 + 5, "stop")])
    finally:
        await recorder.aclose()
    first, second, *_ = recorder.segments()
    assert [s.kind for s in first.streams] == ["audio"]
    assert first.reason == "tracks_changed"
    assert [s.kind for s in second.streams] == ["audio", "video"]
    assert second.offset == pytest.approx(2.0, abs=0.1)
