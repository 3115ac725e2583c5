"""The audio front end: Opus packets (or an audio file) to 16 kHz mono 16-bit PCM.

The live pipeline and the offline reference decoder share it, so both hand the
recognizer the very same samples for the same packets.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.audio.frame import AudioFrame
from av.audio.resampler import AudioResampler

__all__ = [
    "BYTES_PER_SAMPLE",
    "FRAME_BYTES",
    "FRAME_SAMPLES",
    "OPUS_RATE",
    "OPUS_TIME_BASE",
    "SAMPLE_RATE",
    "Framer",
    "OpusDecoder",
    "file_pcm",
]

SAMPLE_RATE = 16_000  # what the Vosk models expect
BYTES_PER_SAMPLE = 2
FRAME_SAMPLES = 320  # 20 ms: the unit the voice-activity detector judges
FRAME_BYTES = FRAME_SAMPLES * BYTES_PER_SAMPLE
OPUS_RATE = 48_000
OPUS_TIME_BASE = Fraction(1, OPUS_RATE)


class OpusDecoder:
    """Decodes one track's Opus packets, in order, to 16 kHz mono PCM."""

    def __init__(self) -> None:
        # FFmpeg's own Opus decoder: a third cheaper than libopus through PyAV, and the
        # decode is most of what a silent participant costs.
        codec = av.CodecContext.create("opus", "r")
        assert isinstance(codec, av.AudioCodecContext)
        codec.layout = "mono"  # stereo packets are downmixed
        codec.sample_rate = OPUS_RATE
        self._codec = codec
        self._resampler = AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)

    def decode(self, packet: av.Packet[Any]) -> bytes:
        """The PCM of one packet (raises av.FFmpegError for a packet that is not Opus)."""
        return b"".join(_pcm(self._resampler.resample(f)) for f in self._codec.decode(packet))

    def flush(self) -> bytes:
        """The last few samples the resampler still holds, at the end of the track."""
        return _pcm(self._resampler.resample(None))


def _pcm(frames: list[AudioFrame]) -> bytes:
    # A plane can be padded past the samples it holds.
    return b"".join(bytes(f.planes[0])[: f.samples * BYTES_PER_SAMPLE] for f in frames)


# Audio that starts this much later than the previous audio ended follows a gap (a
# mute, lost packets); the resampler's own delay is a millisecond.
_GAP = 0.01


class Framer:
    """Cuts timed PCM into 20 ms frames, each with the stream time of its first sample.

    After a gap in the audio (nothing arrived while a participant was muted, packets
    lost) the frames carry on at the new audio's time: the gap is not closed up.
    """

    def __init__(self) -> None:
        self._rest = b""
        self._rest_time = 0.0

    def push(self, pcm: bytes, time: float) -> Iterator[tuple[bytes, float]]:
        if self._rest and time - self.next_time > _GAP:
            # The incomplete frame before the gap, completed with silence, keeps its time.
            yield self._rest.ljust(FRAME_BYTES, b"\0"), self._rest_time
            self._rest = b""
        if self._rest:
            data, start = self._rest + pcm, self._rest_time
        else:
            data, start = pcm, time
        whole = len(data) - len(data) % FRAME_BYTES
        for offset in range(0, whole, FRAME_BYTES):
            yield (
                data[offset : offset + FRAME_BYTES],
                start + offset / (BYTES_PER_SAMPLE * SAMPLE_RATE),
            )
        self._rest = data[whole:]
        self._rest_time = start + whole / (BYTES_PER_SAMPLE * SAMPLE_RATE)

    @property
    def next_time(self) -> float:
        """The stream time of the sample that would follow what was pushed so far."""
        return self._rest_time + len(self._rest) / (BYTES_PER_SAMPLE * SAMPLE_RATE)

    def take_rest(self) -> tuple[bytes, float]:
        """The incomplete frame left over (at the end of the track or a pause)."""
        rest, self._rest = self._rest, b""
        return rest, self._rest_time


def file_pcm(path: Path) -> bytes:
    """All of an audio file as 16 kHz mono PCM, decoded as a receiving peer would.

    Opus streams (Ogg, WebM) are decoded packet by packet with OpusDecoder, exactly as
    the live pipeline decodes the same packets from RTP (no container pre-skip applied);
    anything else (WAV ...) is decoded by FFmpeg and resampled the same way.
    """
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        if stream.codec_context.name in ("opus", "libopus"):
            decoder = OpusDecoder()
            # Re-made from the bytes alone: RTP carries no container side data (pre-skip).
            pcm = [decoder.decode(av.Packet(bytes(p))) for p in container.demux(stream) if p.size]
            return b"".join(pcm) + decoder.flush()
        resampler = AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        chunks = [_pcm(resampler.resample(f)) for f in container.decode(stream)]
        return b"".join(chunks) + _pcm(resampler.resample(None))
