"""The per-key API rate limit's contract: the in-memory fake and Redis both pass it."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from redis.asyncio import Redis

from adapters.identity import redis_api_key_rate_limiter
from adapters.identity.in_memory_api_key_rate_limiter import InMemoryApiKeyRateLimiter
from adapters.identity.redis_api_key_rate_limiter import RedisApiKeyRateLimiter
from adapters.shared.manual_clock import ManualClock
from application.identity.api_key_ports import ApiKeyRateLimiter


@pytest.fixture(params=["in-memory", "redis"])
def rate_limiter(request: pytest.FixtureRequest) -> ApiKeyRateLimiter:
    if request.param == "in-memory":
        return InMemoryApiKeyRateLimiter(ManualClock())
    limiter = RedisApiKeyRateLimiter(request.getfixturevalue("redis"))
    # The Redis window is the clock minute: keep a test from straddling two minutes.
    into_minute = time.time() % 60
    if into_minute > 59.5:
        time.sleep(60 - into_minute + 0.01)
    return limiter


async def test_hits_count_down_to_the_limit_then_are_refused(rate_limiter: ApiKeyRateLimiter) -> None:
    key = uuid.uuid4()
    decisions = [await rate_limiter.hit(key, 4) for _ in range(6)]
    assert [d.allowed for d in decisions] == [True, True, True, True, False, False]
    assert [d.remaining for d in decisions] == [3, 2, 1, 0, 0, 0]
    assert all(d.limit == 4 for d in decisions)
    assert all(1 <= d.reset_seconds <= 60 for d in decisions)


async def test_a_limit_of_one_allows_a_single_hit(rate_limiter: ApiKeyRateLimiter) -> None:
    key = uuid.uuid4()
    first, second = await rate_limiter.hit(key, 1), await rate_limiter.hit(key, 1)
    assert (first.allowed, first.remaining) == (True, 0)
    assert (second.allowed, second.remaining) == (False, 0)
    assert 1 <= second.reset_seconds <= 60


async def test_each_key_has_its_own_budget(rate_limiter: ApiKeyRateLimiter) -> None:
    busy, quiet = uuid.uuid4(), uuid.uuid4()
    for _ in range(3):
        await rate_limiter.hit(busy, 2)
    assert not (await rate_limiter.hit(busy, 2)).allowed
    decision = await rate_limiter.hit(quiet, 2)
    assert (decision.allowed, decision.remaining, decision.limit) == (True, 1, 2)


async def test_concurrent_hits_let_exactly_the_limit_through(rate_limiter: ApiKeyRateLimiter) -> None:
    key = uuid.uuid4()
    decisions = await asyncio.gather(*(rate_limiter.hit(key, 5) for _ in range(12)))
    assert sum(d.allowed for d in decisions) == 5
    assert sorted(d.remaining for d in decisions if d.allowed) == [0, 1, 2, 3, 4]


async def test_the_in_memory_rate_limit_resets_after_a_minute() -> None:
    clock = ManualClock()
    limiter = InMemoryApiKeyRateLimiter(clock)
    key = uuid.uuid4()
    for _ in range(2):
        await limiter.hit(key, 2)
    clock.advance(timedelta(seconds=40))
    refused = await limiter.hit(key, 2)
    assert (refused.allowed, refused.reset_seconds) == (False, 20)
    clock.advance(timedelta(seconds=20))
    again = await limiter.hit(key, 2)
    assert (again.allowed, again.remaining) == (True, 1)
    assert again.reset_seconds == 60


async def test_the_redis_rate_limit_reports_the_end_of_its_clock_minute(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    thirty_seconds_into_a_minute = (int(time.time()) // 60) * 60 + 30.0
    monkeypatch.setattr(redis_api_key_rate_limiter, "time", SimpleNamespace(time=lambda: thirty_seconds_into_a_minute))
    decision = await RedisApiKeyRateLimiter(redis).hit(uuid.uuid4(), 10)
    assert decision.reset_seconds == 30
