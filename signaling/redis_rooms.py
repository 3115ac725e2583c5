"""The Redis implementation of the room store, for deployments with several processes.

Each change runs as one Lua script, so the entry, the roster version and the node's
index move together even when many signaling processes write at once.
"""

from __future__ import annotations

from typing import Any, cast

from redis.asyncio import Redis

from hearing.lifecycle import HearingState
from hearing.rooms import RoomControls, Roster, RosterEntry

__all__ = ["RedisRoomStore"]

# KEYS: roster hash, version counter, node index, hearing id; ARGV: participant, entry, node
_PUT = """
local previous = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if previous then
  local old_node = cjson.decode(previous)['node']
  if old_node ~= ARGV[3] then
    redis.call('SREM', ARGV[4] .. old_node, KEYS[4] .. '|' .. ARGV[1])
  end
end
redis.call('SADD', KEYS[3], KEYS[4] .. '|' .. ARGV[1])
local version = redis.call('INCR', KEYS[2])
return {version, previous or '', redis.call('HVALS', KEYS[1])}
"""

# KEYS: roster hash, version counter, hearing id; ARGV: participant, sid, node key prefix
_REMOVE = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return false end
local entry = cjson.decode(current)
if entry['sid'] ~= ARGV[2] then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', ARGV[3] .. entry['node'], KEYS[3] .. '|' .. ARGV[1])
local version = redis.call('INCR', KEYS[2])
return {version, redis.call('HVALS', KEYS[1])}
"""


class RedisRoomStore:
    """Room state in Redis; every key starts with `prefix` so deployments can share a server."""

    def __init__(self, redis: Redis, *, prefix: str = "hearing:") -> None:
        """`redis` must be created with decode_responses=True."""
        self._redis = redis
        self._prefix = prefix
        self._put = redis.register_script(_PUT)
        self._remove = redis.register_script(_REMOVE)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "hearing:") -> RedisRoomStore:
        return cls(Redis.from_url(url, decode_responses=True), prefix=prefix)

    def _keys(self, hearing_id: str) -> tuple[str, str]:
        base = f"{self._prefix}room:{hearing_id}"
        return f"{base}:roster", f"{base}:version"

    def _node_key(self, node: str) -> str:
        return f"{self._prefix}node:{node}:connections"

    async def put(self, hearing_id: str, entry: RosterEntry) -> tuple[Roster, RosterEntry | None]:
        roster_key, version_key = self._keys(hearing_id)
        result = cast(
            list[Any],
            await self._put(
                keys=[roster_key, version_key, self._node_key(entry.node), hearing_id],
                args=[entry.participant_id, entry.to_json(), entry.node, self._node_key("")],
            ),
        )
        version, previous, values = result
        roster = Roster.of(hearing_id, int(version), [RosterEntry.from_json(v) for v in values])
        return roster, RosterEntry.from_json(previous) if previous else None

    async def remove(self, hearing_id: str, participant_id: str, sid: str) -> Roster | None:
        roster_key, version_key = self._keys(hearing_id)
        result = await self._remove(
            keys=[roster_key, version_key, hearing_id],
            args=[participant_id, sid, self._node_key("")],
        )
        if not result:
            return None
        version, values = cast(list[Any], result)
        return Roster.of(hearing_id, int(version), [RosterEntry.from_json(v) for v in values])

    async def roster(self, hearing_id: str) -> Roster:
        roster_key, version_key = self._keys(hearing_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hvals(roster_key)
            pipe.get(version_key)
            values, version = await pipe.execute()
        entries = [RosterEntry.from_json(v) for v in values]
        return Roster.of(hearing_id, int(version or 0), entries)

    async def locate(self, hearing_id: str, participant_id: str) -> RosterEntry | None:
        raw = await self._redis.hget(self._keys(hearing_id)[0], participant_id)
        return RosterEntry.from_json(raw) if raw else None

    async def set_state(self, hearing_id: str, state: HearingState) -> None:
        await self._redis.set(f"{self._prefix}room:{hearing_id}:state", state.value)

    async def state(self, hearing_id: str) -> HearingState | None:
        raw = await self._redis.get(f"{self._prefix}room:{hearing_id}:state")
        return HearingState(_text(raw)) if raw else None

    async def controls(self, hearing_id: str) -> RoomControls:
        raw = await self._redis.get(f"{self._prefix}room:{hearing_id}:controls")
        return RoomControls.from_json(raw) if raw else RoomControls()

    async def set_controls(self, hearing_id: str, controls: RoomControls) -> None:
        await self._redis.set(f"{self._prefix}room:{hearing_id}:controls", controls.to_json())

    async def drop_node(self, node: str) -> dict[str, Roster]:
        members = await self._redis.smembers(self._node_key(node))
        changed: dict[str, Roster] = {}
        for member in members:
            hearing_id, participant_id = _text(member).split("|", 1)
            entry = await self.locate(hearing_id, participant_id)
            if entry is not None and entry.node == node:
                roster = await self.remove(hearing_id, participant_id, entry.sid)
                if roster is not None:
                    changed[hearing_id] = roster
        await self._redis.delete(self._node_key(node))
        return changed

    async def close(self) -> None:
        await self._redis.aclose()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
