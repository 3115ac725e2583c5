"""Encoded media made once per test session: the recording tests only mux it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.recording.synthetic import Clip, encode_audio, encode_video

MARKERS = (3.0, 14.0)
"""Media times of the beep and the white frame, together, in every participant's clips."""


@dataclass(frozen=True)
class Clips:
    audio: Clip
    """20.5 s of Opus: a quiet tone, a beep at each of MARKERS."""
    video: Clip
    """20 s of 640x480 VP8 at 30 fps (a key frame each second), a white frame at MARKERS."""
    small: Clip
    """2 s of 320x240 VP8."""


@pytest.fixture(scope="session")
def clips() -> Clips:
    return Clips(
        audio=encode_audio(20.5, beeps=MARKERS),
        video=encode_video(20, flashes=MARKERS),
        small=encode_video(2, size=(320, 240)),
    )
