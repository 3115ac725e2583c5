"""A hearing recorded end to end: three participants on camera and speaking, a recess.

Every participant's clips carry a beep and a white frame at media times 3 s and
14 s. They join at different moments, over different network delays, with RTP
timestamps starting anywhere; the recording must put every beep at its
hearing-clock time in every file, and each beep on its white frame.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from hearing.audit import AuditLog
from recording import (
    FileRole,
    PlaybackSet,
    PublishedTrack,
    Recorder,
    RecordingAlert,
    SegmentRecord,
    make_playback_set,
)
from recording.index import sha256_file
from recording.webm import probe_duration
from tests.recording.conftest import MARKERS, Clips
from tests.recording.synthetic import Publisher, beep_onsets, decode_all, flash_times, play

T0 = 1_700_000_000.0
RECESS = (9.0, 12.0)
ADJOURN = 20.5
JOINS = {"judge": 0.0, "claimant": 0.37, "respondent": 0.81}
DELAYS = {"judge": 0.01, "claimant": 0.03, "respondent": 0.05}


def hearing_clock(wall: float) -> float:
    """Seconds in session at `wall` seconds after T0."""
    if wall <= RECESS[0]:
        return wall
    return wall - (RECESS[1] - RECESS[0])


@dataclass(frozen=True)
class Recorded:
    folder: Path
    segments: list[SegmentRecord]
    playback: PlaybackSet
    audit: list[dict[str, object]]
    alerts: list[RecordingAlert]
    keyframe_requests: list[tuple[str, str]]

    def of(self, participant: str) -> list[SegmentRecord]:
        return sorted(
            (s for s in self.segments if s.participant_id == participant), key=lambda s: s.number
        )


async def _record(hearing_dir: Path, clips: Clips) -> Recorded:
    alerts: list[RecordingAlert] = []
    requests: list[tuple[str, str]] = []

    def keyframe(track: PublishedTrack) -> None:
        requests.append((track.participant_id, track.kind))

    audit = AuditLog(hearing_dir / "audit.jsonl")
    recorder = Recorder(
        hearing_dir, "case-7", audit=audit, on_alert=alerts.append, on_keyframe_request=keyframe
    )
    publishers = [
        Publisher(name, T0 + JOINS[name], [clips.audio, clips.video], DELAYS[name], seed=n)
        for n, name in enumerate(JOINS)
    ]
    steps = [(T0, "start"), (T0 + RECESS[0], "pause"), (T0 + RECESS[1], "resume")]
    try:
        await play(recorder, publishers, [*steps, (T0 + ADJOURN, "stop")])
        segments = recorder.segments()
    finally:
        await recorder.aclose()
    playback = await make_playback_set(hearing_dir)
    return Recorded(
        hearing_dir / "recordings", segments, playback, audit.entries(), alerts, requests
    )


@pytest.fixture(scope="module")
def recorded(clips: Clips, tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    return asyncio.run(_record(tmp_path_factory.mktemp("hearing"), clips))


def test_every_file_decodes_completely(recorded: Recorded) -> None:
    assert len(recorded.segments) == 6
    files = [recorded.folder / s.file for s in recorded.segments]
    files += [*recorded.playback.participants.values()]
    for path in files:
        times = decode_all(path)  # raises on any decoding error
        end = probe_duration(path)
        assert times["audio"] and times["video"], path.name
        assert max(times["audio"]) > end - 0.2, path.name
        assert max(times["video"]) > end - 0.6, path.name
    assert recorded.alerts == []


def test_durations_match_time_in_session(recorded: Recorded) -> None:
    for name, join in JOINS.items():
        before, after = recorded.of(name)
        # A participant's time in session: from joining to the recess, and from the
        # resumption to the adjournment.
        assert probe_duration(recorded.folder / before.file) == pytest.approx(
            RECESS[0] - join, abs=0.3
        )
        assert probe_duration(recorded.folder / after.file) == pytest.approx(
            ADJOURN - RECESS[1], abs=0.3
        )


def test_recess_is_a_segment_boundary(recorded: Recorded) -> None:
    for name in JOINS:
        before, after = recorded.of(name)
        assert before.file == f"case-7_{name}_s001.webm"
        assert after.file == f"case-7_{name}_s002.webm"
        assert (before.reason, after.reason) == ("recess", "adjourned")
        assert before.offset + probe_duration(recorded.folder / before.file) <= RECESS[0] + 0.01
        assert after.offset == pytest.approx(hearing_clock(RECESS[1]), abs=0.1)
    actions = [e["action"] for e in recorded.audit]
    assert actions == [
        "recording_started",
        "recording_paused",
        "recording_started",
        "recording_stopped",
    ]
    assert recorded.audit[1]["clock"] == RECESS[0]
    paused = recorded.audit[1]["details"]
    assert isinstance(paused, dict)
    assert sorted(paused["files"]) == sorted(s.file for s in recorded.segments if s.number == 1)
    # The playback files show the recess as a gap on the hearing clock.
    assert not list((recorded.folder).glob("*.recording"))


def test_beeps_sit_at_their_hearing_clock_time_in_every_file(recorded: Recorded) -> None:
    for name, join in JOINS.items():
        expected = [hearing_clock(join + t) for t in MARKERS]
        before, after = recorded.of(name)
        heard = [before.offset + t for t in beep_onsets(recorded.folder / before.file)]
        heard += [after.offset + t for t in beep_onsets(recorded.folder / after.file)]
        assert heard == pytest.approx(expected, abs=0.1), name
        # and in the participant's playback file, which is on the hearing clock itself
        own = beep_onsets(recorded.playback.participants[name])
        assert own == pytest.approx(expected, abs=0.1), name


def test_audio_and_video_of_a_participant_line_up(recorded: Recorded) -> None:
    for segment in recorded.segments:
        path = recorded.folder / segment.file
        flashes, beeps = flash_times(path), beep_onsets(path)
        assert len(flashes) == len(beeps) == 1, segment.file
        assert abs(flashes[0] - beeps[0]) < 0.04, segment.file


def test_mixdown_has_everyone_on_the_hearing_clock(recorded: Recorded) -> None:
    mixdown = recorded.playback.mixdown
    assert mixdown is not None
    decode_all(mixdown)
    expected = sorted(hearing_clock(join + t) for join in JOINS.values() for t in MARKERS)
    assert beep_onsets(mixdown, quiet=0.15) == pytest.approx(expected, abs=0.1)
    assert probe_duration(mixdown) == pytest.approx(hearing_clock(ADJOURN), abs=0.3)


def test_index_lists_every_file_with_offset_duration_and_hash(recorded: Recorded) -> None:
    index = json.loads((recorded.folder / "index.json").read_text())
    assert index["hearing_id"] == "case-7"
    files = {entry["file"]: entry for entry in index["files"]}
    expected = {s.file for s in recorded.segments}
    assert recorded.playback.mixdown is not None
    playback = [*recorded.playback.participants.values(), recorded.playback.mixdown]
    expected |= {str(p.relative_to(recorded.folder)) for p in playback}
    assert set(files) == expected
    for name, entry in files.items():
        path = recorded.folder / name
        assert entry["size"] == path.stat().st_size
        assert entry["sha256"] == sha256_file(path)
        assert entry["duration"] == pytest.approx(probe_duration(path), abs=0.001)
    for segment in recorded.segments:
        entry = files[segment.file]
        assert entry["role"] == FileRole.SEGMENT
        assert entry["offset"] == pytest.approx(segment.offset, abs=0.001)
        assert entry["participant_id"] == segment.participant_id
        assert {s["kind"]: (s["width"], s["height"]) for s in entry["streams"]} == {
            "audio": (None, None),
            "video": (640, 480),
        }


def test_key_frames_are_asked_for_when_video_restarts(recorded: Recorded) -> None:
    # After the recess a file's video must wait for a key frame: the node is asked for one
    # (the judge's clip happened to have one right at the resumption).
    asked = {name for name, kind in recorded.keyframe_requests}
    assert {"claimant", "respondent"} <= asked <= set(JOINS)
    assert {kind for _, kind in recorded.keyframe_requests} == {"video"}
