"""The one place the media node reaches into aiortc internals (aiortc>=1.16,<1.17).

aiortc decodes every received frame in a thread running
``aiortc.rtcrtpreceiver.decoder_worker`` and only encodes on the send side when a
track hands it decoded frames.  A forwarding node needs neither, so this module:

* for receivers marked with :func:`mark_passthrough`, turns each complete encoded
  frame from the jitter buffer into an ``av.Packet`` (frame bytes, ``pts`` = RTP
  timestamp, ``time_base`` = 1/clock rate, ``is_keyframe`` read from the bitstream)
  that the receive track yields, and never decodes: the receiver's decoder queue
  is replaced, and ``decoder_worker`` (looked up as a module global when a
  receiver starts) by one that leaves those receivers alone; unmarked receivers
  keep aiortc's worker and decode;
* hands each audio frame over as soon as the next one arrives: aiortc's audio jitter
  buffer holds frames until the fourth later one has arrived (80 ms with 20 ms Opus
  packets), which every caption and every forwarded voice would wait for, while the
  browsers receiving the audio smooth out jitter themselves;
* lets a caller intercept keyframe requests (PLI/FIR) that a subscriber sends to
  an ``RTCRtpSender`` (aiortc would only set a flag read by its encoder);
* sends a PLI to a publisher through an ``RTCRtpReceiver``.

:func:`check_aiortc_compatible` verifies that the internals look as expected and
fails loudly otherwise; the media node calls it at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import inspect
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

import aiortc
import aiortc.rtcpeerconnection
import aiortc.rtcrtpreceiver as _receiver_module
import av
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

__all__ = [
    "AiortcIncompatible",
    "check_aiortc_compatible",
    "close_connection",
    "installed",
    "intercept_keyframe_requests",
    "is_keyframe",
    "mark_passthrough",
    "missing_packets",
    "receive_statistics",
    "release_lag",
    "release_receive_side",
    "request_keyframe",
    "request_retransmission",
    "set_stream_id",
]

log = logging.getLogger(__name__)

SUPPORTED_AIORTC = ((1, 16), (1, 17))
"""The aiortc versions (from inclusive, to exclusive) whose internals this module knows."""

# aiortc's audio jitter buffer size (packets); a frame is handed over when the next
# frame's packet arrives (aiortc tells a frame complete by the next timestamp).
_AUDIO_JITTER_CAPACITY = 16

# Callable[..., None]: aiortc's worker takes its four arguments by name as well.
_original_worker: Callable[..., None] | None = None
_install_depth = 0


class AiortcIncompatible(RuntimeError):
    """The installed aiortc does not have the internals the media node relies on."""


def is_keyframe(codec_name: str, data: bytes) -> bool:
    """Tell from an encoded frame's bytes whether a decoder can start from it."""
    if codec_name == "VP8":
        # RFC 6386 section 9.1: bit 0 of the frame tag is 0 for a key frame.
        return bool(data) and not data[0] & 0x01
    if codec_name == "H264":
        # aiortc depayloads H.264 to Annex-B; an IDR slice (5) or an SPS (7) starts a
        # picture a decoder can use.
        return any(nal and nal[0] & 0x1F in (5, 7) for nal in data.split(b"\x00\x00\x01")[1:])
    return True  # audio: every frame decodes on its own


def release_lag(kind: str) -> int:
    """How many frames later a passthrough receiver of `kind` hands a frame over.

    Frame *N* is handed over when the first packet of frame *N + lag* arrives (so
    consumers that place frames by arrival time can cancel the wait exactly).
    """
    return 1  # audio (see mark_passthrough) and video alike


def _to_packet(codec: RTCRtpCodecParameters, frame: JitterFrame) -> av.Packet[Any]:
    packet = av.Packet(frame.data)
    packet.pts = frame.timestamp  # RTP timestamp, made relative to the first by aiortc
    packet.time_base = fractions.Fraction(1, codec.clockRate)
    packet.is_keyframe = is_keyframe(codec.name, frame.data)
    return packet


class _PacketPipe:
    """Takes the place of a receiver's decoder queue: each frame becomes a packet at once.

    aiortc puts every complete frame into this queue from the event loop, for its
    decoder thread.  Converting it right there and handing it to the track's queue
    saves two thread switches per frame, which cost more than the conversion.
    The receiver's thread still starts; it only waits for the end.
    """

    def __init__(self, output: asyncio.Queue[Any]) -> None:
        self._output = output
        self._ended = threading.Event()

    def put(self, task: tuple[RTCRtpCodecParameters, JitterFrame] | None) -> None:
        # Called on the event loop: by _handle_rtp_packet, and with None on stop.
        if task is None:
            self._output.put_nowait(None)  # ends the track, as aiortc's worker does
            self._ended.set()
        else:
            self._output.put_nowait(_to_packet(*task))

    def wait_for_end(self) -> None:
        self._ended.wait()


def _passthrough_worker(
    loop: asyncio.AbstractEventLoop,
    input_q: queue.Queue[Any] | _PacketPipe,
    output_q: asyncio.Queue[Any],
    decode_error: threading.Event,
) -> None:
    """Drop-in for ``decoder_worker``: idle for passthrough receivers, decoding for the rest."""
    if isinstance(input_q, _PacketPipe):
        input_q.wait_for_end()
        return
    assert _original_worker is not None
    _original_worker(loop, input_q, output_q, decode_error)


def mark_passthrough(receiver: RTCRtpReceiver) -> None:
    """Make the receiver's remote track yield ``av.Packet`` instead of decoded frames.

    Call it from a synchronous ``"track"`` handler: aiortc emits the event during
    ``setRemoteDescription``, before the receiver starts.
    """
    track = receiver.track
    if not isinstance(track, _receiver_module.RemoteStreamTrack):
        raise TypeError(f"not a remote track: {track!r}")
    if getattr(receiver, "_RTCRtpReceiver__decoder_thread", None) is not None:
        raise RuntimeError("the receiver has already started decoding")
    setattr(receiver, "_RTCRtpReceiver__decoder_queue", _PacketPipe(track._queue))  # noqa: B010
    if track.kind == "audio":
        # No prefetch: each frame goes on when the next arrives, not the fourth next.
        buffer = JitterBuffer(capacity=_AUDIO_JITTER_CAPACITY, prefetch=0)
        setattr(receiver, "_RTCRtpReceiver__jitter_buffer", buffer)  # noqa: B010


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """Install the passthrough worker for the duration of the block (nestable)."""
    global _original_worker, _install_depth
    if _install_depth == 0:
        _original_worker = _receiver_module.decoder_worker
        _receiver_module.decoder_worker = _passthrough_worker
    _install_depth += 1
    try:
        yield
    finally:
        _install_depth -= 1
        if _install_depth == 0:
            assert _original_worker is not None
            _receiver_module.decoder_worker = _original_worker
            _original_worker = None


def intercept_keyframe_requests(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Call ``callback`` whenever the subscriber behind ``sender`` asks for a keyframe."""
    # RTCRtpSender._handle_rtcp_packet calls self._send_keyframe() for PLI and FIR; on
    # the packet path aiortc ignores it, so the instance attribute takes its place.
    setattr(sender, "_send_keyframe", callback)  # noqa: B010 (a method cannot be assigned)


async def request_keyframe(receiver: RTCRtpReceiver) -> bool:
    """Send a PLI to the publisher of every stream ``receiver`` gets; False if none yet."""
    sources = receiver.getSynchronizationSources()
    for source in sources:
        # Also lists the RTX stream's SSRC; the publisher ignores a PLI for it.
        await receiver._send_rtcp_pli(source.source)
    return bool(sources)


def missing_packets(receiver: RTCRtpReceiver) -> frozenset[int]:
    """Sequence numbers the receiver still waits for (those aiortc asked to be resent)."""
    generator = getattr(receiver, "_RTCRtpReceiver__nack_generator", None)
    return frozenset(generator.missing) if generator is not None else frozenset()


async def request_retransmission(
    receiver: RTCRtpReceiver, sequence_numbers: frozenset[int], *, media_ssrcs: set[int]
) -> None:
    """Ask the publisher again for packets (NACK), for each of its media streams."""
    # aiortc sends one NACK when it sees a gap; if that NACK or the retransmission
    # is lost, its jitter buffer holds every later frame until it overflows.
    for ssrc in media_ssrcs:
        await receiver._send_rtcp_nack(ssrc, sorted(sequence_numbers))


def release_receive_side(receiver: RTCRtpReceiver) -> None:
    """Free the bandwidth estimator of a receiver that will never receive (a sendonly slot)."""
    # Each video receiver has one, with a thousand objects that every full garbage
    # collection scans: a hearing's subscribe connections hold hundreds of them.
    setattr(receiver, "_RTCRtpReceiver__remote_bitrate_estimator", None)  # noqa: B010


def receive_statistics(receiver: RTCRtpReceiver) -> dict[int, tuple[int, int]]:
    """Packets received and lost, per SSRC, as ``receiver`` counts them for its reports."""
    # RTCRtpReceiver.getStats() files every SSRC under one id, so a stream's figures
    # are overwritten by its retransmission (RTX) stream's; read them at the source.
    streams: dict[int, Any] = getattr(receiver, "_RTCRtpReceiver__remote_streams")  # noqa: B009
    return {ssrc: (s.packets_received, s.packets_lost) for ssrc, s in streams.items()}


def set_stream_id(sender: RTCRtpSender, stream_id: str) -> None:
    """Name the media stream (``msid``) the next offer announces for ``sender``'s track."""
    # aiortc puts every track of a connection in one stream; browsers synchronise audio
    # and video per stream, so each publisher's pair gets its own.
    sender._stream_id = stream_id


_CONNECT_GIVES_UP = 5.0
"""Seconds a closed connection's connecting task may take to notice (it takes ms)."""


def _connecting(pc: RTCPeerConnection) -> list[asyncio.Task[Any]]:
    """The tasks running ``pc``'s ``__connect()`` (aiortc starts them and keeps no handle)."""
    tasks = []
    for task in asyncio.all_tasks():
        coro = task.get_coro()
        frame = getattr(coro, "cr_frame", None)
        if frame is not None and coro.cr_code.co_name == "__connect":  # type: ignore[union-attr]
            if frame.f_locals.get("self") is pc:
                tasks.append(task)
    return tasks


async def close_connection(pc: RTCPeerConnection) -> None:
    """Close ``pc`` and wait until nothing of it runs any more.

    aiortc's ``close()`` returns while its connecting task may still be waiting for
    the ICE checks, which notice the close a few milliseconds later, and that task
    may then start a receiver or sender that ``close()`` already stopped.  So: wait
    for it, then stop every transceiver again (stopping twice is harmless).
    """
    connecting = _connecting(pc)
    await pc.close()
    if connecting:
        _, pending = await asyncio.wait(connecting, timeout=_CONNECT_GIVES_UP)
        if pending:
            log.error("a closed connection is still connecting after %s s", _CONNECT_GIVES_UP)
    for transceiver in pc.getTransceivers():
        await transceiver.stop()


def _parameters(func: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(func).parameters)


def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return ""


def check_aiortc_compatible() -> None:
    """Raise :class:`AiortcIncompatible` unless aiortc's internals are the ones hooked here."""
    receiver_module = _receiver_module
    worker = _original_worker or receiver_module.decoder_worker
    problems: list[str] = []
    version = tuple(int(p) for p in aiortc.__version__.split(".")[:2])
    if not SUPPORTED_AIORTC[0] <= version < SUPPORTED_AIORTC[1]:
        problems.append(f"aiortc {aiortc.__version__} is outside the tested range >=1.16,<1.17")
    if _parameters(worker) != ["loop", "input_q", "output_q", "decode_error"]:
        problems.append("rtcrtpreceiver.decoder_worker(loop, input_q, output_q, decode_error)")
    receive = _source(RTCRtpReceiver.receive)
    if "target=decoder_worker" not in receive or "self.__decoder_queue," not in receive:
        problems.append("RTCRtpReceiver.receive() starting decoder_worker on its decoder queue")
    if "self.__decoder_queue: queue.Queue = queue.Queue()" not in _source(
        RTCRtpReceiver.__init__
    ) or "self.__decoder_queue.put(None)" not in _source(
        getattr(RTCRtpReceiver, "_RTCRtpReceiver__stop_decoder", None)
    ):
        problems.append("RTCRtpReceiver.__decoder_queue, given None by __stop_decoder()")
    if "self.__decoder_queue.put((codec, encoded_frame))" not in _source(
        RTCRtpReceiver._handle_rtp_packet
    ):
        problems.append("RTCRtpReceiver._handle_rtp_packet() queueing (codec, JitterFrame)")
    if _parameters(JitterFrame) != ["data", "timestamp"]:
        problems.append("jitterbuffer.JitterFrame(data, timestamp)")
    if _parameters(JitterBuffer) != ["capacity", "prefetch", "is_video"] or (
        "self.__jitter_buffer = JitterBuffer(capacity=16, prefetch=4)"
        not in _source(RTCRtpReceiver.__init__)
        or "self.__jitter_buffer.add(packet)" not in _source(RTCRtpReceiver._handle_rtp_packet)
    ):
        problems.append("RTCRtpReceiver.__jitter_buffer, a JitterBuffer(capacity, prefetch)")
    if "self._queue" not in _source(receiver_module.RemoteStreamTrack.__init__):
        problems.append("rtcrtpreceiver.RemoteStreamTrack._queue")
    if "self._send_keyframe()" not in _source(RTCRtpSender._handle_rtcp_packet):
        problems.append("RTCRtpSender._handle_rtcp_packet() calling self._send_keyframe()")
    if _parameters(RTCRtpReceiver._send_rtcp_pli) != ["self", "media_ssrc"]:
        problems.append("RTCRtpReceiver._send_rtcp_pli(media_ssrc)")
    if "self.__remote_streams[packet.ssrc].add(packet)" not in _source(
        RTCRtpReceiver._handle_rtp_packet
    ) or "self.packets_received" not in _source(_receiver_module.StreamStatistics.__init__):
        problems.append("RTCRtpReceiver.__remote_streams of StreamStatistics")
    if "transceiver.sender._stream_id" not in _source(
        aiortc.rtcpeerconnection.create_media_description_for_transceiver
    ):
        problems.append("RTCRtpSender._stream_id used as the msid stream")
    handle = _source(RTCRtpReceiver._handle_rtp_packet)
    if (
        "self.__nack_generator.missing" not in handle
        or "if self.__remote_bitrate_estimator is not None:" not in handle
        or _parameters(RTCRtpReceiver._send_rtcp_nack) != ["self", "media_ssrc", "lost"]
    ):
        problems.append("RTCRtpReceiver's __nack_generator, __remote_bitrate_estimator")
    if "asyncio.ensure_future(self.__connect())" not in _source(
        RTCPeerConnection.setRemoteDescription
    ):
        problems.append("RTCPeerConnection.setRemoteDescription() starting __connect()")
    if "self.__encoder.pack(data)" not in _source(RTCRtpSender._next_encoded_frame):
        problems.append("RTCRtpSender._next_encoded_frame() packing av.Packet without encoding")
    if problems:
        raise AiortcIncompatible(
            "the media node forwards without transcoding by hooking aiortc internals, and "
            "this aiortc differs from the tested one (install aiortc>=1.16,<1.17); "
            "not found: " + "; ".join(problems)
        )
