"""The voice-activity gate: only speech (with a little margin) reaches the recognizer.

Judging a 20 ms frame costs a couple of microseconds (WebRTC's VAD), so a silent
participant costs the Opus decode and little else. The gate opens after a few speech
frames and lets through the pre-roll before them, so word starts are not cut; it
holds back the silence after speech, lets it through if speech resumes within the
hangover (the recognizer must hear the pause between words), and otherwise ends the
utterance after feeding only a short tail of it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum

import webrtcvad  # type: ignore[import-untyped, unused-ignore]

from .audio import FRAME_SAMPLES, SAMPLE_RATE

__all__ = ["Feed", "GateSettings", "Mark", "VoiceGate"]

_FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE


class Mark(Enum):
    """Points in the feed where the recognizer must finalize what it heard."""

    UTTERANCE_END = "utterance_end"
    STREAM_END = "stream_end"


# Timed PCM for the recognizer, or a mark.
Feed = tuple[bytes, float] | Mark


@dataclass(frozen=True, slots=True)
class GateSettings:
    """How the gate judges speech; the defaults suit a courtroom microphone."""

    aggressiveness: int = 2  # WebRTC VAD mode, 0 (lenient) to 3 (strict)
    onset_frames: int = 3  # speech frames, among the last `onset_window`, that open it
    onset_window: int = 5
    preroll: float = 0.3  # seconds before the onset that are fed too
    hangover: float = 0.7  # seconds of silence that end an utterance
    tail: float = 0.3  # seconds of that silence fed before finalizing

    def __post_init__(self) -> None:
        if not 0 <= self.aggressiveness <= 3:
            raise ValueError("aggressiveness is 0 to 3")
        if not 1 <= self.onset_frames <= self.onset_window:
            raise ValueError("onset_frames must be between 1 and onset_window")
        if not 0 <= self.tail <= self.hangover:
            raise ValueError("tail must be between 0 and hangover")

    def frames(self, seconds: float) -> int:
        return round(seconds / _FRAME_SECONDS)


class VoiceGate:
    """Turns a track's 20 ms frames into the feed of one recognizer."""

    def __init__(self, settings: GateSettings) -> None:
        self._vad = webrtcvad.Vad(settings.aggressiveness)
        self._onset = settings.onset_frames
        self._recent: deque[bool] = deque(maxlen=settings.onset_window)
        preroll = settings.frames(settings.preroll) + settings.onset_window
        self._preroll: deque[tuple[bytes, float]] = deque(maxlen=preroll)
        self._held: list[tuple[bytes, float]] = []
        self._hangover = max(1, settings.frames(settings.hangover))
        self._tail = settings.frames(settings.tail)
        self.open = False

    def push(self, frame: bytes, time: float, out: list[Feed]) -> None:
        """Judge one frame; append what the recognizer must be given to `out`."""
        speech: bool = self._vad.is_speech(frame, SAMPLE_RATE)
        if not self.open:
            self._preroll.append((frame, time))
            self._recent.append(speech)
            if sum(self._recent) >= self._onset:
                self.open = True
                out.extend(self._preroll)
                self._preroll.clear()
                self._recent.clear()
            return
        if speech:
            out.extend(self._held)
            self._held.clear()
            out.append((frame, time))
            return
        self._held.append((frame, time))
        if len(self._held) >= self._hangover:
            out.extend(self._held[: self._tail])
            out.append(Mark.UTTERANCE_END)
            # The silence just heard is the pre-roll of whatever comes next.
            self._preroll.extend(self._held)
            self._held.clear()
            self.open = False

    def close(self, out: list[Feed], rest: tuple[bytes, float] | None = None) -> None:
        """End the utterance in progress now, feeding all of it (end of track, pause)."""
        if self.open:
            out.extend(self._held)
            if rest is not None and rest[0]:
                out.append(rest)
            out.append(Mark.UTTERANCE_END)
        self._held.clear()
        self._preroll.clear()
        self._recent.clear()
        self.open = False
