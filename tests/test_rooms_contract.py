"""The coordination contract: the in-memory store and the Redis store behave the same."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from hearing.lifecycle import HearingState
from hearing.roles import Role
from hearing.rooms import InMemoryRoomStore, Presence, RoomControls, RoomStore, RosterEntry
from signaling.redis_rooms import RedisRoomStore
from tests.harness.redis_server import RedisServer


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[RoomStore]:
    if request.param == "memory":
        rooms: RoomStore = InMemoryRoomStore()
    else:
        redis_server: RedisServer = request.getfixturevalue("redis_server")
        rooms = RedisRoomStore.from_url(redis_server.url, prefix=f"t{id(request)}:")
    yield rooms
    await rooms.close()


def entry(
    pid: str, sid: str, node: str = "n1", presence: Presence = Presence.CONNECTED
) -> RosterEntry:
    return RosterEntry(pid, pid.title(), Role.PARTY, presence, sid, node)


async def test_empty_room(store: RoomStore) -> None:
    roster = await store.roster("h1")
    assert (roster.version, roster.entries) == (0, ())
    assert await store.locate("h1", "alice") is None
    assert await store.state("h1") is None


async def test_put_locate_remove(store: RoomStore) -> None:
    roster, previous = await store.put("h1", entry("alice", "s1"))
    assert previous is None and roster.version == 1
    assert [e.participant_id for e in roster.entries] == ["alice"]
    roster, _ = await store.put("h1", entry("bob", "s2", node="n2"))
    assert roster.version == 2 and [e.participant_id for e in roster.entries] == ["alice", "bob"]
    located = await store.locate("h1", "bob")
    assert located is not None and (located.sid, located.node) == ("s2", "n2")
    removed = await store.remove("h1", "alice", "s1")
    assert removed is not None and removed.version == 3
    assert [e.participant_id for e in removed.entries] == ["bob"]
    assert (await store.roster("h1")) == removed


async def test_rooms_are_separate(store: RoomStore) -> None:
    await store.put("h1", entry("alice", "s1"))
    await store.put("h2", entry("alice", "s9"))
    assert [e.sid for e in (await store.roster("h1")).entries] == ["s1"]
    assert (await store.roster("h2")).version == 1


async def test_a_second_connection_replaces_the_first(store: RoomStore) -> None:
    await store.put("h1", entry("alice", "old"))
    roster, previous = await store.put("h1", entry("alice", "new", node="n2"))
    assert previous is not None and previous.sid == "old"
    assert [e.sid for e in roster.entries] == ["new"]
    # The old connection's late disconnect must not remove the new one.
    assert await store.remove("h1", "alice", "old") is None
    assert [e.sid for e in (await store.roster("h1")).entries] == ["new"]
    # ... nor does dropping the node the old connection was on.
    assert await store.drop_node("n1") == {}
    assert [e.sid for e in (await store.roster("h1")).entries] == ["new"]


async def test_presence_change_keeps_one_entry(store: RoomStore) -> None:
    await store.put("h1", entry("alice", "s1"))
    current = await store.locate("h1", "alice")
    assert current is not None
    roster, previous = await store.put("h1", current.moved(Presence.ADMITTED).but(muted_audio=True))
    assert previous == current
    assert [(e.participant_id, e.presence) for e in roster.entries] == [
        ("alice", Presence.ADMITTED)]  # fmt: skip
    assert roster.entries[0].muted_audio and not roster.entries[0].muted_video


async def test_removing_someone_absent_changes_nothing(store: RoomStore) -> None:
    await store.put("h1", entry("alice", "s1"))
    assert await store.remove("h1", "bob", "s1") is None
    assert (await store.roster("h1")).version == 1


async def test_drop_node_removes_only_its_connections(store: RoomStore) -> None:
    await store.put("h1", entry("alice", "s1", node="dead"))
    await store.put("h1", entry("bob", "s2", node="alive"))
    await store.put("h2", entry("carol", "s3", node="dead"))
    changed = await store.drop_node("dead")
    assert sorted(changed) == ["h1", "h2"]
    assert [e.participant_id for e in changed["h1"].entries] == ["bob"]
    assert (await store.roster("h2")).entries == ()
    assert await store.drop_node("dead") == {}


async def test_state(store: RoomStore) -> None:
    await store.set_state("h1", HearingState.OPEN)
    assert await store.state("h1") is HearingState.OPEN
    assert await store.state("h2") is None


async def test_concurrent_changes_each_get_their_own_version(store: RoomStore) -> None:
    rosters = await asyncio.gather(*(store.put("h1", entry(f"p{i}", f"s{i}")) for i in range(20)))
    assert sorted(r.version for r, _ in rosters) == list(range(1, 21))
    assert len((await store.roster("h1")).entries) == 20


async def test_controls(store: RoomStore) -> None:
    assert await store.controls("h1") == RoomControls()
    await store.set_controls("h1", RoomControls(locked=True, caucus=("alice", "bob")))
    assert await store.controls("h1") == RoomControls(locked=True, caucus=("alice", "bob"))
    assert await store.controls("h2") == RoomControls()
