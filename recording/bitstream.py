"""What the recorder reads from encoded frames without decoding them.

Video dimensions come from the stream itself: a VP8 key frame's header (RFC 6386
section 9.1) or an H.264 sequence parameter set (ITU-T H.264 section 7.3.2.1.1).
Opus packet durations come from the TOC byte (RFC 6716 section 3.1), so the
muxer knows how long the last packet of a file lasts.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

__all__ = [
    "dimensions",
    "h264_dimensions",
    "h264_nal_units",
    "is_keyframe",
    "opus_duration",
    "opus_head",
    "vp8_dimensions",
]

_VP8_START_CODE = b"\x9d\x01\x2a"
# Profiles whose SPS carries chroma format, bit depths and scaling matrices.
_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}
_NAL_IDR, _NAL_SPS = 5, 7


def vp8_dimensions(frame: bytes | memoryview) -> tuple[int, int] | None:
    """Width and height from a VP8 key frame, or None for an inter frame or garbage."""
    if len(frame) < 10 or frame[0] & 0x01:  # bit 0 of the frame tag: 0 = key frame
        return None
    if bytes(frame[3:6]) != _VP8_START_CODE:
        return None
    # 14 bits of size, 2 bits of upscaling hint (ignored: the coded size is what is stored).
    width = (frame[6] | frame[7] << 8) & 0x3FFF
    height = (frame[8] | frame[9] << 8) & 0x3FFF
    if not width or not height:
        return None
    return width, height


def h264_nal_units(access_unit: bytes | memoryview) -> Iterator[bytes]:
    """The NAL units of an Annex-B access unit (start codes removed)."""
    data = bytes(access_unit)
    starts: list[int] = []
    i = data.find(b"\x00\x00\x01")
    while i >= 0:
        starts.append(i + 3)
        i = data.find(b"\x00\x00\x01", i + 3)
    for n, start in enumerate(starts):
        end = starts[n + 1] - 3 if n + 1 < len(starts) else len(data)
        # A four-byte start code leaves its leading zero at the end of the previous unit.
        nal = data[start:end].rstrip(b"\x00") if n + 1 < len(starts) else data[start:end]
        if nal:
            yield nal


class _Bits:
    """An MSB-first bit reader over an RBSP (emulation prevention bytes removed)."""

    def __init__(self, rbsp: bytes) -> None:
        self._data = rbsp
        self._pos = 0

    def u(self, n: int) -> int:
        value = 0
        for _ in range(n):
            byte = self._pos >> 3
            if byte >= len(self._data):
                raise ValueError("SPS ends early")
            value = value << 1 | (self._data[byte] >> (7 - (self._pos & 7))) & 1
            self._pos += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise ValueError("bad Exp-Golomb code in SPS")
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k & 1 else -(k // 2)


def _rbsp(nal: bytes) -> bytes:
    return nal.replace(b"\x00\x00\x03", b"\x00\x00")


def _skip_scaling_list(bits: _Bits, size: int) -> None:
    last, next_ = 8, 8
    for _ in range(size):
        if next_:
            next_ = (last + bits.se() + 256) % 256
        last = next_ or last


def _sps_dimensions(nal: bytes) -> tuple[int, int]:
    bits = _Bits(_rbsp(nal[1:]))
    profile_idc = bits.u(8)
    bits.u(16)  # constraint flags, level_idc
    bits.ue()  # seq_parameter_set_id
    chroma_format_idc, separate_colour_plane = 1, 0
    if profile_idc in _HIGH_PROFILES:
        chroma_format_idc = bits.ue()
        if chroma_format_idc == 3:
            separate_colour_plane = bits.u(1)
        bits.ue()  # bit_depth_luma_minus8
        bits.ue()  # bit_depth_chroma_minus8
        bits.u(1)  # qpprime_y_zero_transform_bypass_flag
        if bits.u(1):  # seq_scaling_matrix_present_flag
            for i in range(8 if chroma_format_idc != 3 else 12):
                if bits.u(1):
                    _skip_scaling_list(bits, 16 if i < 6 else 64)
    bits.ue()  # log2_max_frame_num_minus4
    poc_type = bits.ue()
    if poc_type == 0:
        bits.ue()
    elif poc_type == 1:
        bits.u(1)
        bits.se()
        bits.se()
        for _ in range(bits.ue()):
            bits.se()
    bits.ue()  # max_num_ref_frames
    bits.u(1)  # gaps_in_frame_num_value_allowed_flag
    width_mbs = bits.ue() + 1
    height_map_units = bits.ue() + 1
    frame_mbs_only = bits.u(1)
    if not frame_mbs_only:
        bits.u(1)  # mb_adaptive_frame_field_flag
    bits.u(1)  # direct_8x8_inference_flag
    crop = (0, 0, 0, 0)
    if bits.u(1):
        crop = (bits.ue(), bits.ue(), bits.ue(), bits.ue())
    chroma_array_type = 0 if separate_colour_plane else chroma_format_idc
    sub_width = 2 if chroma_array_type in (1, 2) else 1
    sub_height = 2 if chroma_array_type == 1 else 1
    crop_x = sub_width if chroma_array_type else 1
    crop_y = (sub_height if chroma_array_type else 1) * (2 - frame_mbs_only)
    width = width_mbs * 16 - crop_x * (crop[0] + crop[1])
    height = (2 - frame_mbs_only) * height_map_units * 16 - crop_y * (crop[2] + crop[3])
    if width <= 0 or height <= 0:
        raise ValueError("SPS crops the picture away")
    return width, height


def h264_dimensions(access_unit: bytes | memoryview) -> tuple[int, int] | None:
    """Width and height from the first SPS of an Annex-B access unit, or None."""
    for nal in h264_nal_units(access_unit):
        if nal[0] & 0x1F == _NAL_SPS:
            try:
                return _sps_dimensions(nal)
            except ValueError:
                return None
    return None


def dimensions(codec: str, frame: bytes | memoryview) -> tuple[int, int] | None:
    """Width and height stated by a key frame of `codec` ("VP8" or "H264")."""
    if codec == "VP8":
        return vp8_dimensions(frame)
    if codec == "H264":
        return h264_dimensions(frame)
    return None


def is_keyframe(codec: str, frame: bytes | memoryview) -> bool:
    """Whether a decoder can start at this frame (audio frames always can)."""
    if codec == "VP8":
        return bool(frame) and not frame[0] & 0x01
    if codec == "H264":
        return any(nal[0] & 0x1F in (_NAL_IDR, _NAL_SPS) for nal in h264_nal_units(frame))
    return True


# Frame sizes in 1/48000 s per TOC configuration (RFC 6716 section 3.1, table 2).
_SILK = (480, 960, 1920, 2880)
_HYBRID = (480, 960)
_CELT = (120, 240, 480, 960)


def opus_duration(packet: bytes | memoryview) -> int:
    """Samples (at 48 kHz) in an Opus packet, from its TOC byte; 0 if it cannot be read."""
    if not packet:
        return 0
    config = packet[0] >> 3
    if config < 12:
        size = _SILK[config % 4]
    elif config < 16:
        size = _HYBRID[config % 2]
    else:
        size = _CELT[config % 4]
    code = packet[0] & 0x03
    if code == 0:
        count = 1
    elif code in (1, 2):
        count = 2
    elif len(packet) > 1:
        count = packet[1] & 0x3F
    else:
        return 0
    return size * count


def opus_head(channels: int = 2, sample_rate: int = 48000) -> bytes:
    """The OpusHead identification header (RFC 7845 section 5.1) Matroska stores as CodecPrivate.

    Pre-skip is 0: WebRTC packets carry no encoder delay to trim, so file time is RTP time.
    """
    return b"OpusHead" + struct.pack("<BBHIhB", 1, channels, 0, sample_rate, 0, 0)
