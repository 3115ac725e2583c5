"""The aiortc hook: compatible internals, keyframe detection."""

from __future__ import annotations

import aiortc.rtcrtpreceiver
import pytest

from media import AiortcIncompatible, check_aiortc_compatible
from media.passthrough import installed, is_keyframe


def test_the_installed_aiortc_has_the_internals_the_node_hooks() -> None:
    check_aiortc_compatible()  # raises AiortcIncompatible with the list of what changed


def test_an_incompatible_aiortc_is_refused_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    def decoder_worker(loop: object, input_q: object, output_q: object) -> None:
        """A future aiortc's worker with another signature."""

    monkeypatch.setattr(aiortc.rtcrtpreceiver, "decoder_worker", decoder_worker)
    with pytest.raises(AiortcIncompatible, match=r"decoder_worker\(loop, input_q"):
        check_aiortc_compatible()


def test_the_hook_is_removed_once_the_last_user_is_done() -> None:
    original = aiortc.rtcrtpreceiver.decoder_worker
    with installed():
        with installed():
            assert aiortc.rtcrtpreceiver.decoder_worker is not original
        assert aiortc.rtcrtpreceiver.decoder_worker is not original
    assert aiortc.rtcrtpreceiver.decoder_worker is original


def test_keyframes_are_read_from_the_bitstream() -> None:
    assert is_keyframe("VP8", bytes([0x10, 0x02, 0x00]))  # frame tag P bit 0: key frame
    assert not is_keyframe("VP8", bytes([0x11, 0x02, 0x00]))  # P bit 1: inter frame
    assert not is_keyframe("VP8", b"")
    sps, idr, non_idr = b"\x67\x42", b"\x65\x88", b"\x41\x9a"
    assert is_keyframe("H264", b"\x00\x00\x00\x01" + sps + b"\x00\x00\x00\x01" + idr)
    assert not is_keyframe("H264", b"\x00\x00\x00\x01" + non_idr)
    assert is_keyframe("opus", b"\xfc\xff")
