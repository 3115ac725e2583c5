"""Per-participant controls: "receives nothing" (a sequestered witness), "publishes nothing"."""

from __future__ import annotations

import asyncio

from media import MediaNode
from tests.media.conftest import Hearing
from tests.media.peers import Participant, wait_until


async def steady_packet_count(participant: Participant, window: float = 1.0) -> tuple[int, int]:
    """Inbound RTP packets at the start and end of ``window`` s, once in-flight ones are in."""
    await asyncio.sleep(0.3)
    start = await participant.packets_received()
    await asyncio.sleep(window)
    return start, await participant.packets_received()


async def test_a_participant_who_may_not_receive_gets_no_media_at_all(
    node: MediaNode, hearing: Hearing
) -> None:
    judge = await hearing.join("judge")
    witness = await hearing.join("witness")
    await wait_until(
        lambda: (
            witness.publishers("video") == {"judge"} and judge.publishers("video") == {"witness"}
        ),
        10,
        "judge and witness seeing each other",
    )

    node.set_receives(hearing.id, "witness", False)
    start, end = await steady_packet_count(witness)
    assert end == start, f"{end - start} packets reached the sequestered witness"
    assert node.state(hearing.id)["witness"].receiving_from == ()
    assert not node.state(hearing.id)["witness"].receiving
    # The others are not affected: the judge still sees and hears the witness.
    seen = judge.snapshot()
    await wait_until(
        lambda: judge.frames["witness", "video"] > seen["witness", "video"] + 10,
        5,
        "the judge still receiving the witness",
    )

    node.set_receives(hearing.id, "witness", True)  # called to the stand
    seen = witness.snapshot()
    await wait_until(
        lambda: (
            witness.frames["judge", "video"] > seen["judge", "video"] + 10
            and witness.frames["judge", "audio"] > seen["judge", "audio"] + 10
        ),
        5,
        "the witness receiving the judge again",
    )
    assert node.state(hearing.id)["witness"].receiving_from == ("judge",)


async def test_a_witness_who_joins_sequestered_never_gets_an_offer(
    node: MediaNode, hearing: Hearing
) -> None:
    await hearing.join("judge")
    witness = await hearing.join("witness", receives=False)
    assert await node.subscriber_offer(hearing.id, "witness") is None
    await asyncio.sleep(0.5)
    assert await witness.packets_received() == 0


async def test_a_participant_who_may_not_publish_is_forwarded_to_nobody(
    node: MediaNode, hearing: Hearing
) -> None:
    a = await hearing.join("a")
    b = await hearing.join("b")
    c = await hearing.join("c")
    await wait_until(
        lambda: b.publishers("video") >= {"a", "c"} and c.publishers("video") >= {"a", "b"},
        10,
        "b and c receiving the others",
    )

    node.set_publishes(hearing.id, "a", False)
    await asyncio.sleep(0.3)  # frames already on their way
    seen_b, seen_c = b.snapshot(), c.snapshot()
    await wait_until(
        lambda: b.frames["c", "video"] > seen_b["c", "video"] + 20, 5, "b still receiving c"
    )
    for viewer, seen in ((b, seen_b), (c, seen_c)):
        for kind in ("audio", "video"):
            assert viewer.frames["a", kind] == seen["a", kind], f"{viewer.id} got a's {kind}"
    assert not node.state(hearing.id)["a"].publishing
    assert "a" not in node.state(hearing.id)["b"].receiving_from
    # a still receives the others.
    seen_a = a.snapshot()
    await wait_until(lambda: a.frames["b", "video"] > seen_a["b", "video"] + 10, 5, "a receiving")

    node.set_publishes(hearing.id, "a", True)
    await wait_until(
        lambda: (
            b.frames["a", "video"] > seen_b["a", "video"] + 10
            and c.frames["a", "audio"] > seen_c["a", "audio"] + 10
        ),
        5,
        "b and c receiving a again",
    )
