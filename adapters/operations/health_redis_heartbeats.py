"""Heartbeats in Redis: one sorted set, ``mg:ops:heartbeats``, whose members are the processes
(their fixed description as JSON: kind, instance id, pid, host, started at) scored by their last
beat in Unix milliseconds of Redis's own clock. A beat (one Lua call) updates the score, drops
every member silent longer than ``forget_after`` and makes the key expire after that long, so a
service whose processes all stopped leaves nothing behind. Reading is ``ZRANGE`` and ``TIME`` in
one pipeline: every age is measured on the one clock that stamped the beats."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from application.operations.heartbeat_ports import HeardBeats
from domain.operations.heartbeats import Beat, ProcessInstance

KEY = "mg:ops:heartbeats"
_BEAT = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZADD', KEYS[1], ms, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return ms
"""


def _member(instance: ProcessInstance) -> str:
    return json.dumps(
        {
            "kind": instance.kind,
            "id": instance.instance_id,
            "pid": instance.pid,
            "host": instance.host,
            "started_at": instance.started_at.isoformat(),
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def _instance(member: bytes | str) -> ProcessInstance | None:
    try:
        fields = json.loads(member)
        return ProcessInstance(
            kind=str(fields["kind"]),
            instance_id=str(fields["id"]),
            pid=int(fields["pid"]),
            host=str(fields["host"]),
            started_at=datetime.fromisoformat(fields["started_at"]),
        )
    except (ValueError, KeyError, TypeError):
        return None  # not ours, or from another version: not a process we can describe


def _at(milliseconds: float) -> datetime:
    return datetime.fromtimestamp(milliseconds / 1000, UTC)


class RedisHeartbeatStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._beat = redis.register_script(_BEAT)

    async def beat(self, instance: ProcessInstance, forget_after: timedelta) -> None:
        await self._beat(keys=[KEY], args=[_member(instance), int(forget_after.total_seconds() * 1000)])

    async def withdraw(self, instance: ProcessInstance) -> None:
        await self._redis.zrem(KEY, _member(instance))

    async def heard(self) -> HeardBeats:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zrange(KEY, 0, -1, withscores=True)
            pipe.time()
            members, (seconds, microseconds) = await pipe.execute()
        beats = []
        for member, score in members:
            instance = _instance(member)
            if instance is not None:
                beats.append(Beat(instance, _at(score)))
        return HeardBeats(read_at=_at(seconds * 1000 + microseconds / 1000), beats=tuple(beats))
