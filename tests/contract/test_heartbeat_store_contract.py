"""One contract for where heartbeats are kept: the in-memory store and Redis both pass it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from adapters.operations.health_in_memory_heartbeats import InMemoryHeartbeatStore
from adapters.operations.health_redis_heartbeats import KEY, RedisHeartbeatStore
from adapters.shared.manual_clock import ManualClock
from application.operations.heartbeat_ports import HeartbeatStore
from domain.operations.heartbeats import ProcessInstance

FORGET_AFTER = timedelta(milliseconds=400)
STARTED = datetime(2026, 5, 4, 8, 30, 15, 250000, tzinfo=UTC)
Wait = Callable[[timedelta], Awaitable[None]]


def instance(kind: str, name: str, pid: int = 4242) -> ProcessInstance:
    return ProcessInstance(kind=kind, instance_id=name, pid=pid, host="node-1", started_at=STARTED)


@pytest.fixture(params=["in-memory", "redis"])
def store(request: pytest.FixtureRequest) -> tuple[HeartbeatStore, Wait]:
    if request.param == "in-memory":
        clock = ManualClock()

        async def advance(delta: timedelta) -> None:
            clock.advance(delta)

        return InMemoryHeartbeatStore(clock), advance

    async def sleep(delta: timedelta) -> None:
        await asyncio.sleep(delta.total_seconds())

    return RedisHeartbeatStore(request.getfixturevalue("redis")), sleep


async def test_nothing_is_heard_before_anyone_beats(store: tuple[HeartbeatStore, Wait]) -> None:
    heartbeats, _ = store
    assert (await heartbeats.heard()).beats == ()


async def test_each_process_is_heard_once_with_its_description_and_last_beat(
    store: tuple[HeartbeatStore, Wait],
) -> None:
    heartbeats, wait = store
    worker, api = instance("worker", "w1"), instance("api", "a1", pid=7)
    await heartbeats.beat(worker, FORGET_AFTER)
    await heartbeats.beat(api, FORGET_AFTER)
    await wait(timedelta(milliseconds=100))
    await heartbeats.beat(worker, FORGET_AFTER)
    heard = await heartbeats.heard()
    by_id = {beat.instance.instance_id: beat for beat in heard.beats}
    assert set(by_id) == {"w1", "a1"}
    assert by_id["w1"].instance == worker and by_id["a1"].instance == api  # started_at kept to the microsecond
    assert heard.read_at - by_id["w1"].last_beat < timedelta(milliseconds=50)
    assert by_id["w1"].last_beat - by_id["a1"].last_beat >= timedelta(milliseconds=90)


async def test_a_process_withdrawn_is_no_longer_heard(store: tuple[HeartbeatStore, Wait]) -> None:
    heartbeats, _ = store
    gone, staying = instance("worker", "w1"), instance("worker", "w2")
    for process in (gone, staying):
        await heartbeats.beat(process, FORGET_AFTER)
    await heartbeats.withdraw(gone)
    await heartbeats.withdraw(gone)  # twice: still nothing
    assert [beat.instance for beat in (await heartbeats.heard()).beats] == [staying]


async def test_a_process_silent_longer_than_forget_after_is_forgotten(store: tuple[HeartbeatStore, Wait]) -> None:
    heartbeats, wait = store
    await heartbeats.beat(instance("worker", "silent"), FORGET_AFTER)
    await wait(FORGET_AFTER + timedelta(milliseconds=100))
    assert (await heartbeats.heard()).beats == ()  # nobody else beat: it expired by itself
    await heartbeats.beat(instance("worker", "silent-again"), FORGET_AFTER)
    await wait(FORGET_AFTER / 2)
    await heartbeats.beat(instance("api", "beating"), FORGET_AFTER)
    await wait(FORGET_AFTER / 2 + timedelta(milliseconds=100))
    await heartbeats.beat(instance("api", "beating"), FORGET_AFTER)
    assert [b.instance.instance_id for b in (await heartbeats.heard()).beats] == ["beating"]


async def test_redis_keeps_one_key_that_expires_when_every_process_stopped_beating(redis: Redis) -> None:
    heartbeats = RedisHeartbeatStore(redis)
    await heartbeats.beat(instance("worker", "w1"), timedelta(seconds=60))
    assert [key async for key in redis.scan_iter(match="mg:ops:*")] == [KEY.encode()]
    assert 59_000 < await redis.pttl(KEY) <= 60_000
    await redis.zadd(KEY, {"not json": 1e15})  # something else's member is skipped, not a crash
    assert [b.instance.instance_id for b in (await heartbeats.heard()).beats] == ["w1"]
