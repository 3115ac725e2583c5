"""What a client can get wrong: each refused with a clear error, nobody else affected."""

from __future__ import annotations

import re

import pytest
from aiortc import RTCPeerConnection, RTCRtpSender

from hearing.errors import Conflict, InvalidInput, NotFound
from media import MediaNode, SessionDescription
from tests.media.conftest import Hearing
from tests.media.peers import CLIENT_CONFIG, Participant, PatternVideoTrack, wait_until


async def client_offer(*, audio: bool = True, video_codec: str = "VP8", data: bool = False) -> str:
    """A real aiortc client's publish offer."""
    pc = RTCPeerConnection(CLIENT_CONFIG)
    if audio:
        pc.addTransceiver("audio", direction="sendonly")
    video = pc.addTransceiver(PatternVideoTrack(), direction="sendonly")
    video.setCodecPreferences(
        [
            c
            for c in RTCRtpSender.getCapabilities("video").codecs
            if c.mimeType in (f"video/{video_codec}", "video/rtx")
        ]
    )
    if data:
        pc.createDataChannel("chat")
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    return sdp


def only_audio_codec(sdp: str, name: str) -> str:
    """The offer with its audio section offering ``name`` only (e.g. G722)."""
    out, section = [], ""
    for line in sdp.splitlines():
        if line.startswith("m="):
            section = line.split()[0][2:]
        if section == "audio":
            if line.startswith("m=audio"):
                pt = {"G722": "9", "PCMU": "0"}[name]
                line = " ".join(line.split()[:3] + [pt])
            elif re.match(r"a=(rtpmap|fmtp|rtcp-fb):\d+", line) and not re.match(
                rf"a=rtpmap:\d+ {name}/", line
            ):
                continue
        out.append(line)
    return "\r\n".join(out) + "\r\n"


@pytest.fixture
async def others(hearing: Hearing) -> tuple[Participant, Participant]:
    """Two participants exchanging media while someone else misbehaves."""
    a = await hearing.join("a")
    b = await hearing.join("b")
    await wait_until(
        lambda: a.publishers("video") == {"b"} and b.publishers("video") == {"a"}, 10, "a and b"
    )
    return a, b


async def still_exchanging(a: Participant, b: Participant) -> None:
    seen_a, seen_b = a.snapshot(), b.snapshot()
    await wait_until(
        lambda: (
            a.frames["b", "video"] > seen_a["b", "video"] + 10
            and b.frames["a", "audio"] > seen_b["a", "audio"] + 10
        ),
        5,
        "a and b still receiving each other",
    )
    assert max(a.max_gap.values()) < 1.0 and max(b.max_gap.values()) < 1.0


async def test_malformed_sdp_is_refused(
    node: MediaNode, hearing: Hearing, others: tuple[Participant, Participant]
) -> None:
    node.join(hearing.id, "mallory")
    for garbage in ("hello", "v=0\r\nm=audio x y\r\n", ""):
        with pytest.raises(InvalidInput, match="malformed SDP offer"):
            await node.publish(hearing.id, "mallory", SessionDescription(garbage, "offer"))
    good = await client_offer()
    without_ice = "\r\n".join(
        line for line in good.splitlines() if not line.startswith("a=ice-pwd")
    )
    with pytest.raises(InvalidInput, match="no ICE credentials"):
        await node.publish(hearing.id, "mallory", SessionDescription(without_ice, "offer"))
    with pytest.raises(InvalidInput, match="expected an SDP offer"):
        await node.publish(hearing.id, "mallory", SessionDescription(good, "answer"))
    with pytest.raises(InvalidInput, match="data channels"):
        await node.publish(
            hearing.id, "mallory", SessionDescription(await client_offer(data=True), "offer")
        )
    assert node.state(hearing.id)["mallory"].tracks == ()
    await still_exchanging(*others)


async def test_an_offer_without_a_usable_codec_is_refused_and_creates_nothing(
    node: MediaNode, hearing: Hearing, others: tuple[Participant, Participant]
) -> None:
    node.join(hearing.id, "mallory")
    g722 = only_audio_codec(await client_offer(), "G722")
    with pytest.raises(InvalidInput, match=r"audio has no codec .*offered: G722; supported: opus"):
        await node.publish(hearing.id, "mallory", SessionDescription(g722, "offer"))
    av1 = (await client_offer(audio=False)).replace("VP8/90000", "AV1/90000")
    with pytest.raises(
        InvalidInput, match=r"video has no codec .*offered: AV1; supported: VP8, H264"
    ):
        await node.publish(hearing.id, "mallory", SessionDescription(av1, "offer"))
    state = node.state(hearing.id)["mallory"]
    assert state.tracks == () and state.publish_connection == "none"
    # Nothing was left half-made: a good offer afterwards is accepted.
    answer = await node.publish(
        hearing.id, "mallory", SessionDescription(await client_offer(), "offer")
    )
    assert answer.type == "answer" and "VP8/90000" in answer.sdp and "opus/48000" in answer.sdp
    await still_exchanging(*others)


async def test_a_second_publish_while_the_first_is_live_is_a_conflict(
    node: MediaNode, hearing: Hearing, others: tuple[Participant, Participant]
) -> None:
    a, b = others
    with pytest.raises(Conflict, match="already publishing"):
        await node.publish(hearing.id, "a", SessionDescription(await client_offer(), "offer"))
    await still_exchanging(a, b)  # a's first publication still reaches b


async def test_unknown_hearings_and_participants_are_not_found(
    node: MediaNode, hearing: Hearing, others: tuple[Participant, Participant]
) -> None:
    offer = SessionDescription(await client_offer(), "offer")
    answer = SessionDescription("v=0\r\n", "answer")
    with pytest.raises(NotFound, match="hearing other has no media on this node"):
        await node.publish("other", "a", offer)
    with pytest.raises(NotFound, match="participant ghost has not joined"):
        await node.publish(hearing.id, "ghost", offer)
    with pytest.raises(NotFound):
        await node.subscriber_offer(hearing.id, "ghost")
    with pytest.raises(NotFound):
        await node.subscriber_answer(hearing.id, "ghost", answer)
    with pytest.raises(NotFound):
        node.set_receives(hearing.id, "ghost", False)
    with pytest.raises(NotFound):
        node.set_publishes(hearing.id, "ghost", False)
    with pytest.raises(NotFound):
        await node.leave(hearing.id, "ghost")
    with pytest.raises(NotFound):
        node.state("other")
    with pytest.raises(Conflict, match="already has media"):
        node.join(hearing.id, "a")
    await still_exchanging(*others)


async def test_bad_subscriber_answers_are_refused(
    node: MediaNode, hearing: Hearing, others: tuple[Participant, Participant]
) -> None:
    a, b = others
    # a has answered every offer: nothing is waiting for an answer.
    good_looking = SessionDescription(await client_offer(), "answer")
    with pytest.raises(Conflict, match="no subscriber offer is waiting"):
        await node.subscriber_answer(hearing.id, "a", good_looking)
    with pytest.raises(InvalidInput, match="malformed SDP answer"):
        await node.subscriber_answer(hearing.id, "a", SessionDescription("nonsense", "answer"))
    with pytest.raises(InvalidInput, match="expected an SDP answer"):
        await node.subscriber_answer(hearing.id, "a", SessionDescription("v=0", "offer"))
    await still_exchanging(a, b)


async def test_a_bad_answer_leaves_the_offer_waiting_for_a_good_one(
    node: MediaNode, hearing: Hearing, others: tuple[Participant, Participant]
) -> None:
    late = Participant(node, hearing.id, "late")  # answers by hand, not on notice
    hearing.participants["late"] = late
    node.join(hearing.id, "late")
    offer = await node.subscriber_offer(hearing.id, "late")
    assert offer is not None
    assert await node.subscriber_offer(hearing.id, "late") is None  # one offer at a time
    mismatched = SessionDescription(await client_offer(audio=False), "answer")
    with pytest.raises(InvalidInput, match="could not be applied"):
        await node.subscriber_answer(hearing.id, "late", mismatched)
    await node.subscriber_answer(hearing.id, "late", await late.answer(offer))
    await wait_until(lambda: late.publishers("video") == {"a", "b"}, 10, "late receiving a, b")
    await still_exchanging(*others)
