"""What is Redis's own in the breakers' store: the key layout of adapters/operations/redis-breaker-format.md,
keys that expire when idle (and an override that does not), and the script surviving a SCRIPT FLUSH."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from adapters.operations.redis_breaker_states import RedisBreakerStates, keys
from domain.operations.breakers import BreakerMode, BreakerPolicy, CallResult, Verdict

T0 = datetime(2030, 1, 1, tzinfo=UTC)
POLICY = BreakerPolicy("github", wait_seconds=30, timeout_seconds=5, minimum_calls=2, window_size=4)
FAILED = CallResult(failed=True, slow=False)
HOUR_MS = 3_600_000


async def test_the_keys_are_the_documented_ones(redis: Redis) -> None:
    assert keys("github") == ["mg:breaker:github", "mg:breaker:github:trials", "mg:breaker:github:mode"]
    states = RedisBreakerStates(redis)
    for _ in range(2):
        await states.settle(POLICY, T0, FAILED, None)
    stored = await redis.hgetall("mg:breaker:github")
    assert stored == {b"state": b"open", b"window": b"", b"opened": b"1893456000000", b"next": b"1893456030000"}
    trial = await states.admit(POLICY, T0 + timedelta(seconds=30))
    assert trial.verdict is Verdict.TRIAL
    lease_end = 1893456030000 + 6000  # the timeout and a second
    assert await redis.zrange("mg:breaker:github:trials", 0, -1, withscores=True) == [
        (trial.token.encode(), lease_end)  # type: ignore[union-attr]
    ]


async def test_a_breakers_keys_expire_when_it_is_idle(redis: Redis) -> None:
    states = RedisBreakerStates(redis, idle_expiry=timedelta(hours=1))
    await states.settle(POLICY, T0, FAILED, None)
    assert HOUR_MS - 5_000 < await redis.pttl("mg:breaker:github") <= HOUR_MS
    long_wait = BreakerPolicy("slow-to-retry", wait_seconds=7200, minimum_calls=1)
    await states.settle(long_wait, T0, FAILED, None)  # open for two hours: kept that long at least
    assert await redis.pttl("mg:breaker:slow-to-retry") > 2 * HOUR_MS


async def test_an_override_never_expires_and_automatic_removes_it(redis: Redis) -> None:
    states = RedisBreakerStates(redis)
    await states.force(POLICY, BreakerMode.FORCED_OPEN, T0)
    assert await redis.get("mg:breaker:github:mode") == b"forced_open"
    assert await redis.pttl("mg:breaker:github:mode") == -1
    await redis.delete("mg:breaker:github")  # the state expired while forced: the override stands
    assert (await states.admit(POLICY, T0 + timedelta(days=2))).verdict is Verdict.REJECT
    await states.force(POLICY, BreakerMode.AUTOMATIC, T0)
    assert await redis.exists("mg:breaker:github:mode") == 0


async def test_the_script_is_loaded_again_after_redis_forgot_it(redis: Redis) -> None:
    states = RedisBreakerStates(redis)
    await states.admit(POLICY, T0)
    await redis.script_flush()
    assert (await states.admit(POLICY, T0)).verdict is Verdict.CALL
