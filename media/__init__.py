"""The media node: an aiortc SFU that forwards published tracks without transcoding."""

from .codecs import Codec, MediaKind
from .ice import IceConfig, IceServer, advertised_addresses, turn_credentials
from .node import MediaNode, RenegotiationNeeded
from .passthrough import AiortcIncompatible, check_aiortc_compatible
from .sdp import SessionDescription
from .stats import ParticipantMedia, TrackMedia
from .subscriber import OfferedTrack, SubscriberOffer
from .tap import MediaPacket, MediaTap, PacketSink, TrackInfo

__all__ = [
    "AiortcIncompatible",
    "Codec",
    "IceConfig",
    "IceServer",
    "MediaKind",
    "MediaNode",
    "MediaPacket",
    "MediaTap",
    "OfferedTrack",
    "PacketSink",
    "ParticipantMedia",
    "RenegotiationNeeded",
    "SessionDescription",
    "SubscriberOffer",
    "TrackInfo",
    "TrackMedia",
    "advertised_addresses",
    "check_aiortc_compatible",
    "turn_credentials",
]
