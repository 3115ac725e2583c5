"""Session descriptions exchanged with clients, and the checks a publisher's offer must pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aiortc import RTCSessionDescription
from aiortc import sdp as aiortc_sdp

from hearing.errors import InvalidInput, Reason

from .codecs import PREFERRED, Codec, MediaKind, choose

__all__ = ["PublishedMedia", "SessionDescription", "parse", "read_publish_offer"]

MAX_SDP_BYTES = 64 * 1024
"""Far above any browser's offer (a few kB); anything larger is refused unparsed."""


@dataclass(frozen=True)
class SessionDescription:
    """An SDP offer or answer, as WebRTC's ``RTCSessionDescriptionInit``."""

    sdp: str
    type: Literal["offer", "answer"]

    def to_aiortc(self) -> RTCSessionDescription:
        return RTCSessionDescription(sdp=self.sdp, type=self.type)

    @classmethod
    def from_aiortc(cls, description: RTCSessionDescription) -> SessionDescription:
        if description.type not in ("offer", "answer"):
            raise ValueError(f"unexpected description type {description.type!r}")
        return cls(description.sdp, "offer" if description.type == "offer" else "answer")


@dataclass(frozen=True)
class PublishedMedia:
    """One track a publisher's offer sends, and the codec the node will ask for."""

    kind: MediaKind
    mid: str
    codec: Codec
    rtx_ssrcs: frozenset[int] = frozenset()
    """Retransmission streams the offer announces (``a=ssrc-group:FID media rtx``)."""


def parse(description: SessionDescription, expected: Literal["offer", "answer"]) -> None:
    """Check that ``description`` is an SDP ``expected``; raise InvalidInput if not."""
    _parse(description, expected)


def _parse(
    description: SessionDescription, expected: Literal["offer", "answer"]
) -> aiortc_sdp.SessionDescription:
    if description.type != expected:
        raise _invalid(f"expected an SDP {expected}, got an SDP {description.type}")
    if len(description.sdp) > MAX_SDP_BYTES:
        raise _invalid(f"the SDP {expected} is larger than {MAX_SDP_BYTES} bytes")
    try:
        parsed = aiortc_sdp.SessionDescription.parse(description.sdp)
    except Exception as e:  # the parser fails in many ways on garbage: all mean "malformed"
        raise _invalid(f"malformed SDP {expected}: {type(e).__name__} {e}".rstrip()) from e
    if not parsed.media:
        raise _invalid(f"malformed SDP {expected}: no media sections (m= lines)")
    for media in parsed.media:
        if media.ice is None or not media.ice.usernameFragment or not media.ice.password:
            raise _invalid(f"malformed SDP {expected}: a media section has no ICE credentials")
        if media.dtls is None or not media.dtls.fingerprints:
            raise _invalid(f"malformed SDP {expected}: a media section has no DTLS fingerprint")
    return parsed


def read_publish_offer(offer: SessionDescription) -> list[PublishedMedia]:
    """What a publisher's offer sends, with the codec chosen per track.

    A publish offer sends at most one audio and one video track, nothing else, and
    each in a codec the node forwards (see ``media.codecs.PREFERRED``).
    """
    parsed = _parse(offer, "offer")
    published: list[PublishedMedia] = []
    for media in parsed.media:
        if media.kind not in ("audio", "video"):
            raise _invalid(
                f"a publish offer carries audio and video only, not {media.kind!r} "
                "(data channels are not supported)"
            )
        kind: MediaKind = "audio" if media.kind == "audio" else "video"
        if any(p.kind == kind for p in published):
            raise _invalid(f"a publish offer carries one {kind} track at most")
        if media.direction not in ("sendonly", "sendrecv"):
            raise _invalid(
                f"the publish offer's {kind} section is {media.direction or 'without direction'}; "
                "a publisher's tracks must be sendonly"
            )
        codec = choose(kind, media.rtp.codecs)
        if codec is None:
            names = {c.name for c in media.rtp.codecs if c.name.lower() != "rtx"}
            offered = ", ".join(sorted(names)) or "none"
            supported = ", ".join(dict.fromkeys(c.name for c in PREFERRED[kind]))
            raise _invalid(
                f"the offer's {kind} has no codec the media node can forward "
                f"(offered: {offered}; supported: {supported})"
            )
        rtx = frozenset(
            int(ssrc)
            for group in media.ssrc_group
            if group.semantic == "FID"
            for ssrc in group.items[1:]
        )
        published.append(PublishedMedia(kind, media.rtp.muxId or "", codec, rtx))
    return published


def _invalid(message: str) -> InvalidInput:
    """A refused description, with the reason the pages translate."""
    return InvalidInput(message, reason=Reason.INVALID_SDP)
