"""What Redis-or-local adds to the store: it never fails or waits long because of Redis (unreachable,
or frozen with SIGSTOP), goes back to Redis after its retry interval, and decides alone from a recent
view (shown by freezing Redis: a step that asked it would wait for its timeout)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from adapters.operations.redis_breaker_states import RedisBreakerStates
from adapters.operations.redis_or_local_breaker_states import RedisOrLocalBreakerStates
from domain.operations.breakers import BreakerMode, BreakerPolicy, BreakerState, CallResult, Verdict
from tests.support.own_redis import OwnRedis, own_redis

POLICY = BreakerPolicy("upstream", wait_seconds=30, minimum_calls=2, window_size=2)
FAILED = CallResult(failed=True, slow=False)
ANSWER_WITHIN = 0.2


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[OwnRedis]:
    with own_redis(tmp_path / "redis") as running:
        yield running


def on(url: str, **options: Any) -> tuple[RedisOrLocalBreakerStates, Redis]:
    redis = Redis.from_url(url)
    return RedisOrLocalBreakerStates(RedisBreakerStates(redis), answer_within=ANSWER_WITHIN, **options), redis


async def test_an_unreachable_redis_fails_nothing_and_the_breakers_run_on_their_own(tmp_path: Path) -> None:
    states, redis = on(f"unix://{tmp_path}/nobody-listens.sock")
    try:
        assert (await states.admit(POLICY, now())).verdict is Verdict.CALL
        for _ in range(2):
            settled = await states.settle(POLICY, now(), FAILED, None)
        assert (settled.view.state, settled.view.shared) == (BreakerState.OPEN, False)
        assert (await states.admit(POLICY, now())).verdict is Verdict.REJECT
        with pytest.raises(RedisConnectionError):  # an override must reach every process, or fail
            await states.force(POLICY, BreakerMode.FORCED_OPEN, now())
    finally:
        await redis.aclose()


async def test_a_frozen_redis_costs_one_timeout_then_nothing_until_the_retry(server: OwnRedis) -> None:
    states, redis = on(server.url, retry_every=0.5, view_max_age=timedelta(0))
    try:
        assert (await states.view(POLICY, now())).shared
        server.freeze()
        started = time.perf_counter()
        assert (await states.admit(POLICY, now())).view.shared is False
        assert ANSWER_WITHIN <= time.perf_counter() - started < ANSWER_WITHIN + 0.2
        started = time.perf_counter()
        for _ in range(50):
            await states.admit(POLICY, now())
        assert time.perf_counter() - started < 0.05  # not asked again within the retry interval
        with pytest.raises(RedisTimeoutError):
            await states.force(POLICY, BreakerMode.FORCED_OPEN, now())
        server.thaw()
        await asyncio.sleep(0.5)
        assert (await states.view(POLICY, now())).shared  # sharing again
    finally:
        server.thaw()
        await redis.aclose()


async def test_a_recent_view_decides_alone_and_an_old_one_asks_redis(server: OwnRedis) -> None:
    states, redis = on(server.url, retry_every=10, view_max_age=timedelta(seconds=1))
    try:
        assert (await states.admit(POLICY, now())).view.state is BreakerState.CLOSED
        server.freeze()
        started = time.perf_counter()
        assert (await states.admit(POLICY, now())).verdict is Verdict.CALL  # closed, a moment ago
        assert time.perf_counter() - started < 0.05
        later = now() + timedelta(seconds=1)
        assert (await states.admit(POLICY, later)).view.shared is False  # too old: Redis asked, and frozen
        assert time.perf_counter() - started >= ANSWER_WITHIN
    finally:
        server.thaw()
        await redis.aclose()


async def test_an_open_view_refuses_alone_until_the_next_trial(server: OwnRedis) -> None:
    states, redis = on(server.url, view_max_age=timedelta(seconds=60))
    policy = BreakerPolicy("upstream", wait_seconds=30, minimum_calls=1, window_size=1)
    try:
        opened_at = now().replace(microsecond=0)  # Redis keeps milliseconds
        await states.settle(policy, opened_at, FAILED, None)
        server.freeze()
        started = time.perf_counter()
        refused = await states.admit(policy, opened_at + timedelta(seconds=10))
        assert (refused.verdict, refused.retry_after) == (Verdict.REJECT, timedelta(seconds=20))
        assert time.perf_counter() - started < 0.05
        trial_time = await states.admit(policy, opened_at + timedelta(seconds=30))  # due: only Redis may say
        assert trial_time.view.shared is False
    finally:
        server.thaw()
        await redis.aclose()
