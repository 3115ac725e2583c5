"""Forwarding between real aiortc participants over loopback: everyone gets everyone, decoded."""

from __future__ import annotations

import asyncio

from aiortc.rtcrtpreceiver import RemoteStreamTrack

from media import MediaNode
from tests.media.conftest import DecoderSpy, Hearing
from tests.media.peers import VIDEO_SIZE, DecodeErrors, Participant, wait_until

PEOPLE = ["judge", "claimant", "respondent", "clerk"]


def gets_everyone(participant: Participant, others: set[str]) -> bool:
    return participant.publishers("video") >= others and participant.publishers("audio") >= others


async def test_four_publishers_each_decode_the_three_others_and_the_node_decodes_nothing(
    node: MediaNode, hearing: Hearing, decoders: DecoderSpy, decode_errors: DecodeErrors
) -> None:
    people = [await hearing.join(pid) for pid in PEOPLE]
    await wait_until(
        lambda: all(gets_everyone(p, set(PEOPLE) - {p.id}) for p in people),
        timeout=20,
        what="every participant decoding the 3 others' audio and video",
    )
    # Keep decoding: every track advances by 2 s worth of frames (30 fps video, 50 fps
    # audio), within a bound that tolerates a loaded machine.
    before = [p.snapshot() for p in people]
    await wait_until(
        lambda: all(
            p.frames[other, "video"] >= start[other, "video"] + 60
            and p.frames[other, "audio"] >= start[other, "audio"] + 100
            for p, start in zip(people, before, strict=True)
            for other in set(PEOPLE) - {p.id}
        ),
        15,
        "2 s more of every track decoded by every participant",
    )
    for participant in people:
        assert set(participant.sizes.values()) == {VIDEO_SIZE}
    assert decode_errors.count == 0

    # Every receiver that decoded is a participant's: the node's 8 never did.
    client_tracks = [t for p in people for t in p.received_tracks]
    assert len(client_tracks) == 4 * 3 * 2
    client_queues = [t._queue for t in client_tracks if isinstance(t, RemoteStreamTrack)]
    assert len(decoders.output_queues) == len(client_queues)
    assert all(any(q is c for c in client_queues) for q in decoders.output_queues)
    assert decoders.decoders_created == len(client_tracks)

    state = node.state(hearing.id)
    assert set(state) == set(PEOPLE)
    for pid, media in state.items():
        assert media.publishing and media.receiving
        assert set(media.receiving_from) == set(PEOPLE) - {pid}
        assert {(t.kind, t.codec) for t in media.tracks} == {("audio", "opus"), ("video", "VP8")}
        for track in media.tracks:
            assert track.frames > 0 and track.packets >= track.frames
            assert track.packets_lost == 0 and track.bitrate_bps > 0
            assert track.last_packet_at is not None


async def test_a_late_subscriber_gets_a_keyframe_within_a_second(hearing: Hearing) -> None:
    judge = await hearing.join("judge")
    party = await hearing.join("party", publish=False)
    await wait_until(lambda: party.publishers("video") == {"judge"}, 10, "party seeing the judge")
    requests = judge.keyframe_requests

    late = await hearing.join("late", publish=False)
    await wait_until(lambda: late.first_video_at is not None, 5, "the late subscriber's video")
    assert late.first_video_at is not None
    delay = late.first_video_at - late.answered_at[0]
    assert delay < 1.0, f"first video frame {delay:.2f} s after the subscription answer"
    assert judge.keyframe_requests > requests  # it came from a PLI, not by chance


async def test_subscriber_plis_reach_the_publisher_rate_limited(hearing: Hearing) -> None:
    judge = await hearing.join("judge")
    party = await hearing.join("party", publish=False)
    await wait_until(lambda: party.publishers("video") == {"judge"}, 10, "party seeing the judge")
    await asyncio.sleep(0.6)  # let the subscription's own request pass the rate limit
    requests = judge.keyframe_requests
    for _ in range(10):
        await party.request_keyframe("judge")
    await wait_until(lambda: judge.keyframe_requests > requests, 2, "a PLI at the publisher")
    await asyncio.sleep(1.0)  # sampling window: one now, at most one trailing
    assert 1 <= judge.keyframe_requests - requests <= 2


async def test_joining_and_leaving_do_not_interrupt_the_others(hearing: Hearing) -> None:
    a = await hearing.join("a")
    b = await hearing.join("b")
    c = await hearing.join("c")
    await wait_until(
        lambda: all(gets_everyone(p, {"a", "b", "c"} - {p.id}) for p in (a, b, c)),
        15,
        "a, b and c receiving each other",
    )
    a.max_gap.clear()
    c.max_gap.clear()
    start_a, start_c = a.snapshot(), c.snapshot()

    d = await hearing.join("d")
    await wait_until(lambda: gets_everyone(a, {"d"}) and gets_everyone(d, {"a", "c"}), 10, "d")
    await hearing.leave("b")
    mid_a, mid_c = a.snapshot(), c.snapshot()
    await wait_until(
        lambda: (
            a.frames["c", "video"] > mid_a["c", "video"] + 15
            and c.frames["a", "video"] > mid_c["a", "video"] + 15
        ),
        5,
        "a and c still receiving each other after b left",
    )
    for viewer, other, start in ((a, "c", start_a), (c, "a", start_c)):
        for kind in ("audio", "video"):
            assert viewer.frames[other, kind] > start[other, kind]
            gap = viewer.max_gap[other, kind]
            assert gap < 1.0, f"{viewer.id} got no {kind} from {other} for {gap:.2f} s"

    # b's slots at a are reused for the next publisher, who is decoded in them.
    transceivers = len(a._subscribe_pc.getTransceivers())
    e = await hearing.join("e")
    await wait_until(lambda: gets_everyone(a, {"e"}) and gets_everyone(e, {"a"}), 10, "e")
    assert len(a._subscribe_pc.getTransceivers()) == transceivers
    assert a.sizes["e"] == VIDEO_SIZE
    assert set(a.tracks.values()) == {o for p in ("c", "d", "e") for o in _tracks_of(p)}


def _tracks_of(participant_id: str) -> list[object]:
    from media import OfferedTrack

    return [OfferedTrack(participant_id, "audio"), OfferedTrack(participant_id, "video")]


async def test_video_recovers_when_a_packet_and_its_resend_are_lost(hearing: Hearing) -> None:
    judge = await hearing.join("judge")
    party = await hearing.join("party", publish=False)
    await wait_until(lambda: party.frames["judge", "video"] > 30, 10, "party seeing the judge")
    party.max_gap.clear()
    judge.lose_video_packet(retransmissions=1)
    seen = party.frames["judge", "video"]
    await wait_until(
        lambda: party.frames["judge", "video"] > seen + 45, 5, "the judge's video going on"
    )
    # The node asked again for the packet: no freeze until its jitter buffer overflows.
    gap = party.max_gap["judge", "video"]
    assert gap < 1.0, f"the judge's video froze for {gap:.2f} s"
