"""One contract for per-client request budgets: the in-memory fake and Redis both pass it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest
from redis.asyncio import Redis

from adapters.identity.in_memory_client_rate_limiter import InMemoryClientRateLimiter
from adapters.identity.redis_client_rate_limiter import RedisClientRateLimiter
from adapters.shared.manual_clock import ManualClock
from application.identity.api_key_ports import ClientRateLimiter

LIMIT = 3
WINDOW = 60
MakeLimiter = Callable[[str], ClientRateLimiter]


@pytest.fixture(params=["in-memory", "redis"])
def make_limiter(request: pytest.FixtureRequest) -> MakeLimiter:
    if request.param == "in-memory":
        clock = ManualClock()
        return lambda name: InMemoryClientRateLimiter(clock, limit=LIMIT, window_seconds=WINDOW)
    redis: Redis = request.getfixturevalue("redis")
    return lambda name: RedisClientRateLimiter(redis, name=name, limit=LIMIT, window_seconds=WINDOW)


async def test_a_client_gets_its_budget_then_is_refused_until_the_window_ends(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter("reports")
    decisions = [await limiter.hit("203.0.113.5") for _ in range(LIMIT + 2)]
    assert [d.allowed for d in decisions] == [True] * LIMIT + [False, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0, 0]
    assert all(d.limit == LIMIT and 1 <= d.reset_seconds <= WINDOW for d in decisions)


async def test_each_client_has_its_own_budget(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter("reports")
    for _ in range(LIMIT + 1):
        await limiter.hit("203.0.113.5")
    assert (await limiter.hit("203.0.113.6")).allowed


async def test_limiters_with_different_names_do_not_share_budgets(make_limiter: MakeLimiter) -> None:
    reports, other = make_limiter("reports"), make_limiter("other")
    for _ in range(LIMIT + 1):
        await reports.hit("203.0.113.5")
    assert (await other.hit("203.0.113.5")).allowed


async def test_concurrent_hits_let_exactly_the_budget_through(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter("reports")
    decisions = await asyncio.gather(*(limiter.hit("203.0.113.5") for _ in range(4 * LIMIT)))
    assert sum(d.allowed for d in decisions) == LIMIT


async def test_the_in_memory_budget_refills_when_the_window_ends() -> None:
    clock = ManualClock()
    limiter = InMemoryClientRateLimiter(clock, limit=LIMIT, window_seconds=WINDOW)
    for _ in range(LIMIT):
        await limiter.hit("203.0.113.5")
    clock.advance(timedelta(seconds=45))
    refused = await limiter.hit("203.0.113.5")
    assert (refused.allowed, refused.reset_seconds) == (False, 15)
    clock.advance(timedelta(seconds=15))
    assert (await limiter.hit("203.0.113.5")).allowed


async def test_the_redis_counter_expires_with_the_window(redis: Redis) -> None:
    await RedisClientRateLimiter(redis, name="reports", limit=LIMIT, window_seconds=WINDOW).hit("203.0.113.5")
    assert 0 < await redis.pttl("mg:client-rate:reports:203.0.113.5") <= WINDOW * 1000
