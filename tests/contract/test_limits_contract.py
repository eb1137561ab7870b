"""One contract for the Redis-backed limits (factor attempt guard, per-key rate limit, last-use
gate): the in-memory fakes and Redis both pass it."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest

from adapters.identity.in_memory_limits import (
    InMemoryApiKeyRateLimiter,
    InMemoryApiKeyUsageRecorder,
    InMemoryFactorAttemptGuard,
)
from adapters.identity.redis_limits import RedisApiKeyRateLimiter, RedisApiKeyUsageRecorder, RedisFactorAttemptGuard
from adapters.shared.manual_clock import ManualClock
from domain.shared.errors import TooManyAttempts


@pytest.fixture(params=["in-memory", "redis"])
def limits(request: pytest.FixtureRequest) -> dict[str, Any]:
    if request.param == "in-memory":
        clock = ManualClock()
        return {
            "guard": InMemoryFactorAttemptGuard(clock),
            "rate": InMemoryApiKeyRateLimiter(clock),
            "usage": InMemoryApiKeyUsageRecorder(clock),
        }
    redis = request.getfixturevalue("redis")
    return {
        "guard": RedisFactorAttemptGuard(redis),
        "rate": RedisApiKeyRateLimiter(redis),
        "usage": RedisApiKeyUsageRecorder(redis),
    }


async def test_five_attempts_a_minute_per_account_then_a_wait(limits: dict[str, Any]) -> None:
    ana, bruno = uuid.uuid4(), uuid.uuid4()
    for n in range(5):
        await limits["guard"].attempt(ana, f"10.0.0.{n}")
    with pytest.raises(TooManyAttempts) as blocked:
        await limits["guard"].attempt(ana, "10.0.0.99")
    assert 0 < blocked.value.retry_after_seconds <= 60
    await limits["guard"].attempt(bruno, "10.0.1.1")  # other accounts are unaffected


async def test_five_attempts_a_minute_per_ip_across_accounts(limits: dict[str, Any]) -> None:
    for _ in range(5):
        await limits["guard"].attempt(uuid.uuid4(), "203.0.113.5")
    with pytest.raises(TooManyAttempts):
        await limits["guard"].attempt(uuid.uuid4(), "203.0.113.5")
    await limits["guard"].attempt(uuid.uuid4(), "203.0.113.6")


async def test_the_rate_limit_counts_down_then_refuses(limits: dict[str, Any]) -> None:
    if time.time() % 60 > 59.5:  # the Redis window is the clock minute: do not straddle two
        await asyncio.sleep(60.05 - time.time() % 60)
    key, other = uuid.uuid4(), uuid.uuid4()
    decisions = [await limits["rate"].hit(key, 3) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert all(d.limit == 3 and 1 <= d.reset_seconds <= 60 for d in decisions)
    assert (await limits["rate"].hit(other, 3)).allowed


async def test_use_is_recorded_at_most_once_per_interval(limits: dict[str, Any]) -> None:
    key = uuid.uuid4()
    assert await limits["usage"].should_record(key) is True
    assert await limits["usage"].should_record(key) is False
    assert await limits["usage"].should_record(uuid.uuid4()) is True
