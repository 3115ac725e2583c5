"""Taps: other components get every published track's encoded frames, as received."""

from __future__ import annotations

import asyncio
import time
from fractions import Fraction
from typing import Any

import av
import pytest

from media import MediaNode, MediaPacket, PacketSink, TrackInfo
from tests.media.conftest import Hearing
from tests.media.peers import VIDEO_SIZE, ToneAudioTrack, wait_until


class RecordingSink:
    def __init__(self, track: TrackInfo) -> None:
        self.track = track
        self.packets: list[MediaPacket] = []
        self.ended = False

    def push(self, packet: MediaPacket) -> None:
        assert not self.ended
        self.packets.append(packet)

    def end(self) -> None:
        self.ended = True


class RecordingTap:
    """Keeps every packet of every track, as a recorder would before muxing."""

    def __init__(self, kinds: tuple[str, ...] = ("audio", "video")) -> None:
        self.kinds = kinds
        self.sinks: dict[tuple[str, str], RecordingSink] = {}

    def track_started(self, track: TrackInfo) -> PacketSink | None:
        if track.kind not in self.kinds:
            return None
        sink = self.sinks[track.participant_id, track.kind] = RecordingSink(track)
        return sink

    def count(self, participant_id: str, kind: str) -> int:
        sink = self.sinks.get((participant_id, kind))
        return len(sink.packets) if sink else 0


class FewFramesTone(ToneAudioTrack):
    """A tone that stops after `frames` frames, like a microphone cut off at the source."""

    def __init__(self, frames: int) -> None:
        super().__init__()
        self.left = frames

    async def recv(self) -> av.AudioFrame:
        if self.left == 0:
            await asyncio.Future()  # nothing more, until the connection closes
        self.left -= 1
        return await super().recv()


class BrokenSink:
    def push(self, packet: MediaPacket) -> None:
        raise RuntimeError("disk full")

    def end(self) -> None:
        raise RuntimeError("disk still full")


class BrokenTap:
    def track_started(self, track: TrackInfo) -> PacketSink | None:
        return BrokenSink()


def decode(codec: str, packets: list[MediaPacket]) -> list[Any]:
    context: Any = av.CodecContext.create(codec, "r")
    frames: list[Any] = []
    for p in packets:
        frames.extend(context.decode(p.packet))
    return frames


async def test_a_tap_gets_every_track_encoded_and_intact(node: MediaNode, hearing: Hearing) -> None:
    tap = RecordingTap()
    node.add_tap(tap)
    joined = time.time()
    await hearing.join("judge")
    await wait_until(
        lambda: tap.count("judge", "video") >= 30 and tap.count("judge", "audio") >= 50,
        10,
        "a second of the judge's media at the tap",
    )
    video, audio = tap.sinks["judge", "video"], tap.sinks["judge", "audio"]
    assert (video.track.codec, video.track.clock_rate) == ("VP8", 90000)
    assert (audio.track.codec, audio.track.clock_rate) == ("opus", 48000)
    assert video.track.hearing_id == hearing.id
    assert joined <= video.track.started_at <= video.packets[0].arrival
    for sink in (video, audio):
        pts = [p.packet.pts or 0 for p in sink.packets]
        assert pts[0] == 0 and pts == sorted(pts)
        assert {p.packet.time_base for p in sink.packets} == {Fraction(1, sink.track.clock_rate)}
        arrivals = [p.arrival for p in sink.packets]
        assert arrivals == sorted(arrivals)
    assert video.packets[0].keyframe and all(p.keyframe for p in audio.packets)
    # The frames are the publisher's, byte for byte decodable.
    frames = decode("vp8", video.packets)
    assert len(frames) == len(video.packets) and (frames[0].width, frames[0].height) == VIDEO_SIZE
    assert len(decode("opus", audio.packets)) == len(audio.packets)

    await hearing.leave("judge")
    assert video.ended and audio.ended


async def test_audio_reaches_the_taps_with_at_most_one_frame_held_back(
    node: MediaNode, hearing: Hearing
) -> None:
    # The node tells an audio frame complete when the next one arrives; it does not hold
    # frames back to smooth out jitter (aiortc's default held four: 80 ms on every
    # caption). The last frame sent stays until another comes: none comes here.
    tap = RecordingTap(kinds=("audio",))
    node.add_tap(tap)
    await hearing.join("judge", audio_track=FewFramesTone(25))
    await wait_until(lambda: tap.count("judge", "audio") >= 24, 10, "24 of the 25 frames sent")
    assert tap.sinks["judge", "audio"].track.release_lag == 1


async def test_a_tap_added_late_gets_the_running_tracks(node: MediaNode, hearing: Hearing) -> None:
    first = RecordingTap()
    node.add_tap(first)
    await hearing.join("judge")
    await wait_until(lambda: first.count("judge", "video") > 0, 10, "the judge's video")
    late = RecordingTap(kinds=("audio",))  # as transcription: audio only
    node.add_tap(late)
    await wait_until(lambda: late.count("judge", "audio") >= 10, 5, "audio at the late tap")
    assert ("judge", "video") not in late.sinks
    assert late.sinks["judge", "audio"].track == first.sinks["judge", "audio"].track
    node.remove_tap(late)
    assert late.sinks["judge", "audio"].ended
    assert not first.sinks["judge", "audio"].ended


async def test_a_broken_tap_affects_nobody(
    node: MediaNode, hearing: Hearing, caplog: pytest.LogCaptureFixture
) -> None:
    node.add_tap(BrokenTap())
    good = RecordingTap()
    node.add_tap(good)
    await hearing.join("a")
    b = await hearing.join("b")
    seen = b.snapshot()
    await wait_until(
        lambda: b.frames["a", "video"] > seen["a", "video"] + 20 and good.count("a", "video") > 20,
        10,
        "b and the good tap still getting a's video",
    )
    assert "disk full" in caplog.text


async def test_taps_get_nothing_of_a_participant_who_may_not_publish(
    node: MediaNode, hearing: Hearing
) -> None:
    tap = RecordingTap()
    node.add_tap(tap)
    await hearing.join("observer", publishes=False)
    await hearing.join("judge")
    await wait_until(lambda: tap.count("judge", "video") >= 10, 10, "the judge's video")
    assert tap.count("observer", "video") == 0 and tap.count("observer", "audio") == 0
