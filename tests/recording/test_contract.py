"""The recorder is a media tap: the media node can hand it tracks without knowing it."""

from __future__ import annotations

import fractions
from pathlib import Path

import av

from media.tap import MediaPacket, MediaTap, PacketSink, TrackInfo
from recording import Recorder


async def test_recorder_takes_tracks_from_the_media_node(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, "h1")
    tap: MediaTap = recorder  # checked by mypy: the node's interface, implemented
    try:
        info = TrackInfo("h1", "p1", "audio", "opus", 48000, started_at=0.0)
        sink: PacketSink | None = tap.track_started(info)
        assert sink is not None
        packet = av.Packet(b"\xf8\xff\xfe")
        packet.pts = 0
        packet.time_base = fractions.Fraction(1, 48000)
        sink.push(MediaPacket(packet, keyframe=True, arrival=0.0))  # not in session: dropped
        sink.end()
        assert recorder.stats.dropped_not_in_session == 1
        assert tap.track_started(TrackInfo("other", "p1", "audio", "opus", 48000, 0.0)) is None
    finally:
        await recorder.aclose()
