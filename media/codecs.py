"""The codecs the media node forwards, in order of preference.

Nothing is transcoded, so a subscriber must receive a track in exactly the codec
its publisher sends: the node answers a publisher with one codec per track (the
first of its preferences the publisher offers) and offers subscribers that codec
only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from aiortc import RTCRtpCodecCapability, RTCRtpCodecParameters
from aiortc.sdp import parse_h264_profile_level_id

__all__ = ["H264", "H264_BASELINE", "OPUS", "PREFERRED", "VP8", "Codec", "MediaKind", "choose"]

MediaKind = Literal["audio", "video"]


@dataclass(frozen=True)
class Codec:
    """A codec the node can forward, as it appears in SDP."""

    kind: MediaKind
    mime_type: str
    clock_rate: int
    channels: int | None = None
    parameters: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        """``"VP8"``, ``"H264"``, ``"opus"``: the name aiortc and SDP use."""
        return self.mime_type.split("/")[1]

    def capability(self) -> RTCRtpCodecCapability:
        return RTCRtpCodecCapability(
            mimeType=self.mime_type,
            clockRate=self.clock_rate,
            channels=self.channels,
            parameters=dict(self.parameters),
        )

    def preferences(self) -> list[RTCRtpCodecCapability]:
        """Codec preferences for a transceiver that must use this codec only."""
        prefs = [self.capability()]
        if self.kind == "video":  # retransmissions (RTX) for video, as aiortc and browsers do
            prefs.append(RTCRtpCodecCapability(mimeType="video/rtx", clockRate=self.clock_rate))
        return prefs

    def accepts(self, offered: RTCRtpCodecParameters) -> bool:
        """Whether a codec from a remote description is this one."""
        if offered.mimeType.lower() != self.mime_type.lower():
            return False
        if offered.clockRate != self.clock_rate:
            return False
        if self.name != "H264":
            return True
        ours = dict(self.parameters)
        # RFC 6184: no packetization-mode means 0.  A missing profile-level-id is read as
        # constrained baseline, as aiortc does for older WebRTC stacks that omit it.
        mode = str(offered.parameters.get("packetization-mode", "0"))
        level_id = str(offered.parameters.get("profile-level-id", "42e01f"))
        try:
            profile = parse_h264_profile_level_id(level_id)[0]
        except ValueError:
            return False
        return (
            mode == ours["packetization-mode"]
            and profile == parse_h264_profile_level_id(ours["profile-level-id"])[0]
        )


OPUS = Codec("audio", "audio/opus", 48000, channels=2)
VP8 = Codec("video", "video/VP8", 90000)
H264 = Codec(
    "video",
    "video/H264",
    90000,
    parameters=(
        ("level-asymmetry-allowed", "1"),
        ("packetization-mode", "1"),
        ("profile-level-id", "42e01f"),  # constrained baseline: what browsers send
    ),
)
H264_BASELINE = Codec(
    "video",
    "video/H264",
    90000,
    parameters=(
        ("level-asymmetry-allowed", "1"),
        ("packetization-mode", "1"),
        ("profile-level-id", "42001f"),
    ),
)

PREFERRED: dict[MediaKind, tuple[Codec, ...]] = {
    "audio": (OPUS,),
    "video": (VP8, H264, H264_BASELINE),
}
"""What the node accepts from publishers, best first."""


def choose(kind: MediaKind, offered: Sequence[RTCRtpCodecParameters]) -> Codec | None:
    """The node's most preferred codec among those offered, or None if none is usable."""
    for codec in PREFERRED[kind]:
        if any(codec.accepts(o) for o in offered):
            return codec
    return None
