"""What the recorder reads from encoded frames: picture sizes, key frames, Opus durations."""

from __future__ import annotations

import struct

import pytest

from recording.bitstream import (
    h264_dimensions,
    is_keyframe,
    opus_duration,
    opus_head,
    vp8_dimensions,
)
from tests.recording.conftest import Clips
from tests.recording.synthetic import encode_h264


def test_vp8_size_comes_from_the_key_frame_header(clips: Clips) -> None:
    for clip, size in ((clips.video, (640, 480)), (clips.small, (320, 240))):
        key, inter = clip.frames[0], clip.frames[1]
        assert key.keyframe and not inter.keyframe
        assert vp8_dimensions(key.data) == size
        assert vp8_dimensions(inter.data) is None  # inter frames state no size
        assert is_keyframe("VP8", key.data) and not is_keyframe("VP8", inter.data)
    assert vp8_dimensions(b"\x00\x00\x00garbage!!") is None


@pytest.mark.parametrize("size", [(320, 180), (352, 288), (1280, 720), (176, 144)])
def test_h264_size_comes_from_the_sequence_parameter_set(size: tuple[int, int]) -> None:
    clip = encode_h264(1 / 30, size=size)  # 180 and 720 are not multiples of 16: cropping
    key = clip.frames[0]
    assert key.keyframe and is_keyframe("H264", key.data)
    assert h264_dimensions(key.data) == size


def test_opus_packet_durations(clips: Clips) -> None:
    assert {opus_duration(f.data) for f in clips.audio.frames} == {960}
    assert opus_duration(bytes([0b11111_000])) == 960  # CELT fullband 20 ms, one frame
    assert opus_duration(bytes([0b00001_001, 0])) == 1920  # SILK 20 ms, two frames
    assert opus_duration(bytes([0b00011_011, 0x03])) == 3 * 2880  # SILK 60 ms, code 3, 3 frames


def test_opus_head_is_rfc7845() -> None:
    head = opus_head(channels=2)
    assert head[:8] == b"OpusHead"
    assert struct.unpack("<BBHIhB", head[8:]) == (1, 2, 0, 48000, 0, 0)
