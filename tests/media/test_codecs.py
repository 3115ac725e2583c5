"""Codecs: VP8 and Opus by preference, H.264 forwarded as such to every subscriber."""

from __future__ import annotations

from media import MediaNode, OfferedTrack
from tests.media.conftest import Hearing
from tests.media.peers import VIDEO_SIZE, DecodeErrors, wait_until


async def test_an_h264_only_publisher_is_forwarded_in_h264(
    node: MediaNode, hearing: Hearing, decode_errors: DecodeErrors
) -> None:
    await hearing.join("judge")  # VP8
    await hearing.join("counsel", video_codec="H264")
    viewer = await hearing.join("viewer", publish=False)
    await wait_until(
        lambda: viewer.frames["counsel", "video"] >= 20 and viewer.frames["judge", "video"] >= 20,
        10,
        "the viewer decoding both videos",
    )
    assert viewer.sizes["counsel"] == VIDEO_SIZE
    codecs = viewer.subscribe_sdp_codecs()
    mids = {track: mid for mid, track in viewer.tracks.items()}
    assert codecs[mids[OfferedTrack("counsel", "video")]] == {"H264", "rtx"}
    assert codecs[mids[OfferedTrack("judge", "video")]] == {"VP8", "rtx"}
    assert codecs[mids[OfferedTrack("counsel", "audio")]] == {"opus"}
    tracks = {t.kind: t.codec for t in node.state(hearing.id)["counsel"].tracks}
    assert tracks == {"audio": "opus", "video": "H264"}
    assert decode_errors.count == 0


async def test_vp8_is_chosen_when_a_publisher_offers_both(
    node: MediaNode, hearing: Hearing
) -> None:
    await hearing.join("judge", video_codec="H264|VP8")  # H.264 first in the client's order
    tracks = {t.kind: t.codec for t in node.state(hearing.id)["judge"].tracks}
    assert tracks["video"] == "VP8"
