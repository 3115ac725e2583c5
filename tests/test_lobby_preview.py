"""The camera of someone waiting in the lobby reaches the judge and clerk, and nothing else.

The court checks who is asking to come in by seeing them; the waiting person hears and
sees nothing of the hearing, is heard by nobody, and nothing of the lobby goes into the
record.
"""

from __future__ import annotations

import asyncio
import json

from tests.harness.rtc_client import RtcParticipant
from tests.harness.server import RunningServer
from tests.test_controls_media import control, stopped, until

PEOPLE = [
    {"id": "judge", "display_name": "Judge Park", "role": "judge"},
    {"id": "clerk", "display_name": "Clerk Yoon", "role": "clerk"},
    {"id": "bob", "display_name": "Bob Lee", "role": "party"},
    {"id": "alice", "display_name": "Alice Kim", "role": "party"},
]


async def test_the_officers_see_the_lobby_and_nobody_else_does(server: RunningServer) -> None:
    hearing = await server.create_hearing(participants=PEOPLE, lobby=True)
    hid = hearing["id"]
    tokens = await server.links(hid)
    people = {p["id"]: RtcParticipant(server.url, tokens[p["id"]]) for p in PEOPLE}
    judge, clerk, bob, alice = (people[k] for k in ("judge", "clerk", "bob", "alice"))
    recordings = server.settings.data_dir / "hearings" / hid / "recordings"
    try:
        await judge.join()
        await clerk.join()
        await judge.sio.start_hearing()
        await bob.join()
        await control(judge, action="admit", participant_id="bob")
        for p in (judge, clerk, bob):
            assert (await p.publish())["ok"]

        await alice.join()  # into the lobby
        ack = await alice.publish()
        assert ack["ok"], ack
        await until(lambda: alice.frames.total() == 0 and ("alice", "video") in judge.frames,
                    "the judge sees alice waiting")  # fmt: skip
        await until(lambda: ("alice", "video") in clerk.frames, "the clerk sees alice waiting")
        await until(lambda: ("bob", "audio") in judge.frames, "the judge hears bob")
        await asyncio.sleep(1.0)  # a window in which the lobby must stay one way and silent
        assert ("alice", "audio") not in judge.frames and ("alice", "audio") not in clerk.frames
        assert not any(pid == "alice" for pid, _ in bob.frames), bob.frames
        assert await alice.packets_received() == 0  # she receives nothing of the hearing
        assert not list(recordings.glob("*alice*")), list(recordings.iterdir())
        status, report = await server.request("GET", f"/api/v1/hearings/{hid}/media")
        assert status == 200
        media = {p["participant_id"]: p for p in report["participants"]}
        assert media["alice"]["publishing"] and not media["alice"]["receiving"]

        # Admitted: she is heard and seen by all and hears the hearing, on the same
        # connection (no new publish), and from now on she is recorded.
        await control(clerk, action="admit", participant_id="alice")
        await until(lambda: ("alice", "audio") in bob.frames, "bob hears alice")
        await until(lambda: ("alice", "video") in bob.frames, "bob sees alice")
        await until(lambda: ("alice", "audio") in judge.frames, "the judge hears alice")
        await until(lambda: ("bob", "audio") in alice.frames, "alice hears bob")
        await until(lambda: any(recordings.glob("*alice*")), "alice is recorded")

        # Sent back to the lobby: she is a preview again, for the officers only.
        await control(judge, action="return_to_lobby", participant_id="alice")
        await stopped(bob, ("alice", "video"))
        await stopped(judge, ("alice", "audio"))
        await stopped(alice, ("bob", "audio"))
        before = judge.frames[("alice", "video")]
        await until(lambda: judge.frames[("alice", "video")] > before + 10, "preview again")
    finally:
        for p in people.values():
            await p.close()

    audit = server.settings.data_dir / "hearings" / hid / "audit.jsonl"
    entries = [json.loads(line) for line in audit.read_text().splitlines()]
    assert {"actor": "alice", "action": "lobby_preview"}.items() <= next(
        e for e in entries if e["action"] == "lobby_preview"
    ).items()
