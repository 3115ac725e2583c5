"""The judge sees how well each participant's connection works: good while media flows,
fair or poor when packets are lost, media stops or a connection drops; and the officers
are told when it changes, over the real server with aiortc participants."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from media import MediaKind, ParticipantMedia, TrackMedia
from signaling.quality import ConnectionQuality, Issue, Quality, assess
from tests.harness.rtc_client import RtcParticipant
from tests.harness.server import RunningServer
from tests.harness.sio import SioClient

NOW = 1_000_000.0


def track(kind: MediaKind, packets: int, lost: int, last: float | None = NOW) -> TrackMedia:
    return TrackMedia(kind=kind, codec="opus" if kind == "audio" else "vp8", bitrate_bps=50_000,
                      frames=packets, keyframes=1, keyframe_requests=0, packets=packets,
                      packets_lost=lost, last_packet_at=last)  # fmt: skip


def media(
    *tracks: TrackMedia,
    publish: str = "connected",
    subscribe: str = "connected",
    forwarded: int = 0,
    dropped: int = 0,
) -> ParticipantMedia:
    return ParticipantMedia(participant_id="alice", publishing=bool(tracks), receiving=True,
                            publish_connection=publish, subscribe_connection=subscribe,
                            tracks=tracks, receiving_from=("judge",), forwarded_frames=forwarded,
                            dropped_frames=dropped)  # fmt: skip


def verdict(quality: Quality, issue: Issue | None = None) -> ConnectionQuality:
    return ConnectionQuality("alice", quality, issue)


def test_loss_over_the_last_interval_grades_the_connection() -> None:
    before = media(track("audio", 1000, 5), track("video", 3000, 20))
    # 200 packets sent in the interval: audio 100 (none lost), video 100 with n lost.
    for lost, expected in ((0, verdict(Quality.GOOD)), (2, verdict(Quality.GOOD)),
                           (8, verdict(Quality.FAIR, Issue.LOSS)),
                           (30, verdict(Quality.POOR, Issue.LOSS))):  # fmt: skip
        after = media(track("audio", 1100, 5), track("video", 3100 - lost, 20 + lost))
        assert assess(before, after, NOW) == expected, lost
    # The loss before the interval is history: a recovered connection is good again.
    assert assess(after, media(track("audio", 1200, 5), track("video", 3200, 50)), NOW) == (
        verdict(Quality.GOOD)
    )


def test_dropped_connections_and_stalled_media_are_poor() -> None:
    healthy = media(track("audio", 1000, 0))
    assert assess(healthy, replace(healthy, publish_connection="failed"), NOW) == verdict(
        Quality.POOR, Issue.CONNECTION
    )
    assert assess(healthy, replace(healthy, subscribe_connection="disconnected"), NOW) == verdict(
        Quality.POOR, Issue.CONNECTION
    )
    stalled = media(track("audio", 1000, 0, last=NOW - 5), track("video", 900, 0, last=NOW - 6))
    assert assess(healthy, stalled, NOW) == verdict(Quality.POOR, Issue.STALLED)
    # Quiet is not stalled: a muted microphone still sends (silence), and one track is enough.
    quiet = media(track("audio", 1000, 0, last=NOW - 0.1), track("video", 900, 0, last=NOW - 9))
    assert assess(healthy, quiet, NOW) == verdict(Quality.GOOD)


def test_a_receiver_falling_behind_is_fair_or_poor() -> None:
    before = media(track("audio", 100, 0), forwarded=1000, dropped=10)
    for dropped, expected in ((5, verdict(Quality.GOOD)),
                              (40, verdict(Quality.FAIR, Issue.FALLING_BEHIND)),
                              (150, verdict(Quality.POOR, Issue.FALLING_BEHIND))):  # fmt: skip
        after = media(track("audio", 200, 0), forwarded=1100, dropped=10 + dropped)
        assert assess(before, after, NOW) == expected, dropped


def test_nothing_is_judged_before_media_is_set_up() -> None:
    assert assess(None, media(publish="none", subscribe="new"), NOW) is None
    assert assess(None, media(track("audio", 0, 0, last=None), subscribe="connecting"), NOW) is None
    # An observer receives only: their receiving connection is what is judged.
    assert assess(None, media(publish="none"), NOW) == verdict(Quality.GOOD)


async def test_officers_are_told_each_participants_quality(server: RunningServer) -> None:
    people = [{"id": "judge", "display_name": "Judge", "role": "judge"},
              {"id": "clerk", "display_name": "Clerk", "role": "clerk"},
              {"id": "alice", "display_name": "Alice", "role": "party"}]  # fmt: skip
    hearing = await server.create_hearing(participants=people, lobby=False)
    tokens = await server.links(hearing["id"])
    judge = SioClient(server.url, tokens["judge"])
    alice = RtcParticipant(server.url, tokens["alice"])
    try:
        await judge.connect()
        assert (await judge.call("join"))["ok"]
        await alice.join()
        assert (await alice.publish())["ok"]

        def alice_good(message: Any) -> bool:
            good = {"participant_id": "alice", "quality": "good", "issue": None}
            return good in message["participants"]

        await judge.wait_for("media_quality", alice_good, timeout=30)
        # Parties are not told the others' connection quality.
        assert alice.sio.received("media_quality") == []
        # A clerk arriving later is told at once, without waiting for a change.
        clerk = SioClient(server.url, tokens["clerk"])
        await clerk.connect()
        try:
            assert (await clerk.call("join"))["ok"]
            await clerk.wait_for("media_quality", alice_good, timeout=30)
        finally:
            await clerk.close()
    finally:
        await alice.close()
        await judge.close()
