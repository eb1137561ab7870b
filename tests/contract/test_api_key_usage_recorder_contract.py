"""The API-key last-use recording gate's contract: the in-memory fake and Redis both pass it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from redis.asyncio import Redis

from adapters.identity.in_memory_api_key_usage_recorder import InMemoryApiKeyUsageRecorder
from adapters.identity.redis_api_key_usage_recorder import RedisApiKeyUsageRecorder
from adapters.shared.manual_clock import ManualClock
from application.identity.api_key_ports import ApiKeyUsageRecorder


@pytest.fixture(params=["in-memory", "redis"])
def usage(request: pytest.FixtureRequest) -> ApiKeyUsageRecorder:
    if request.param == "in-memory":
        return InMemoryApiKeyUsageRecorder(ManualClock(), interval_seconds=60)
    return RedisApiKeyUsageRecorder(request.getfixturevalue("redis"), interval_seconds=60)


async def test_use_is_recorded_once_then_coalesced(usage: ApiKeyUsageRecorder) -> None:
    key = uuid.uuid4()
    assert await usage.should_record(key) is True
    assert await usage.should_record(key) is False
    assert await usage.should_record(key) is False


async def test_each_key_is_recorded_independently(usage: ApiKeyUsageRecorder) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    assert await usage.should_record(first) is True
    assert await usage.should_record(second) is True
    assert await usage.should_record(first) is False


async def test_concurrent_requests_record_use_exactly_once(usage: ApiKeyUsageRecorder) -> None:
    key = uuid.uuid4()
    results = await asyncio.gather(*(usage.should_record(key) for _ in range(10)))
    assert results.count(True) == 1


async def test_the_in_memory_recorder_allows_another_record_after_the_interval() -> None:
    clock = ManualClock()
    usage = InMemoryApiKeyUsageRecorder(clock, interval_seconds=60)
    key = uuid.uuid4()
    assert await usage.should_record(key) is True
    clock.advance(timedelta(seconds=59))
    assert await usage.should_record(key) is False
    clock.advance(timedelta(seconds=1))
    assert await usage.should_record(key) is True
    assert await usage.should_record(key) is False


async def test_the_redis_recorder_gate_expires_after_the_interval(redis: Redis) -> None:
    usage = RedisApiKeyUsageRecorder(redis, interval_seconds=60)
    key = uuid.uuid4()
    assert await usage.should_record(key) is True
    assert 0 < await redis.pttl(f"mg:api-key-used:{key}") <= 60_000
