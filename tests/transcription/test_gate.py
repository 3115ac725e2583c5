"""The voice-activity gate on real speech: pre-roll, hangover and tail."""

from __future__ import annotations

import pytest

from bench._transcription_speech import SpeechFile
from transcription.audio import FRAME_BYTES, SAMPLE_RATE, Framer, file_pcm
from transcription.gate import Feed, GateSettings, Mark, VoiceGate

SILENCE = bytes(FRAME_BYTES)
FRAME = FRAME_BYTES // 2 / SAMPLE_RATE


def run(gate: VoiceGate, pcm: bytes) -> list[Feed]:
    out: list[Feed] = []
    for frame, time in Framer().push(pcm, 0.0):
        gate.push(frame, time, out)
    return out


def test_speech_is_fed_with_its_pre_roll_and_ended_after_the_hangover(
    counsel_speech: SpeechFile,
) -> None:
    settings = GateSettings()
    pcm = file_pcm(counsel_speech.ogg) + SILENCE * 100
    out = run(VoiceGate(settings), pcm)
    marks = [i for i, item in enumerate(out) if isinstance(item, Mark)]
    assert marks == [len(out) - 1] and out[-1] is Mark.UTTERANCE_END
    audio = [item for item in out if not isinstance(item, Mark)]
    assert audio[0][1] == 0.0  # the pre-roll reaches back to the start of the file
    times = [t for _, t in audio]
    assert times == sorted(times) and len(set(times)) == len(times)
    # Fed up to the end of the speech plus the tail (the VAD itself lingers a little),
    # not the rest of the silence.
    last = times[-1] + FRAME
    assert counsel_speech.speech_end <= last <= counsel_speech.speech_end + settings.tail + 0.2


def test_silence_feeds_nothing() -> None:
    assert run(VoiceGate(GateSettings()), SILENCE * 500) == []


def test_closing_mid_speech_feeds_everything_held(counsel_speech: SpeechFile) -> None:
    gate = VoiceGate(GateSettings())
    pcm = file_pcm(counsel_speech.ogg)[: 2 * SAMPLE_RATE * 3 // 2]  # 1.5 s: mid-sentence
    out = run(gate, pcm)
    assert gate.open and Mark.UTTERANCE_END not in out
    rest = (b"\x01\x00" * 7, 1.5)
    gate.close(out, rest)
    assert out[-2:] == [rest, Mark.UTTERANCE_END]
    assert not gate.open
    fed = sum(len(item[0]) for item in out if not isinstance(item, Mark))
    assert fed == len(pcm) + len(rest[0])  # every sample, from the first


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        GateSettings(aggressiveness=4)
    with pytest.raises(ValueError):
        GateSettings(tail=1.0, hangover=0.5)
