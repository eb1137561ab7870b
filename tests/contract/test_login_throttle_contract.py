"""One contract for the login throttle: the in-memory fake and Redis both pass it."""

from __future__ import annotations

import pytest

from adapters.identity.in_memory_login_throttle import InMemoryLoginThrottle
from adapters.identity.redis_login_throttle import RedisLoginThrottle
from adapters.shared.manual_clock import ManualClock
from application.identity.ports import LoginThrottle

WINDOW = 900


@pytest.fixture(params=["in-memory", "redis"])
def throttle(request: pytest.FixtureRequest) -> LoginThrottle:
    if request.param == "in-memory":
        return InMemoryLoginThrottle(ManualClock(), account_limit=3, ip_limit=5, window_seconds=WINDOW)
    return RedisLoginThrottle(request.getfixturevalue("redis"), account_limit=3, ip_limit=5, window_seconds=WINDOW)


async def test_failures_under_the_limit_do_not_block(throttle: LoginThrottle) -> None:
    for _ in range(2):
        await throttle.record_failure("ana", "10.0.0.1")
    assert await throttle.retry_after("ana", "10.0.0.1") is None


async def test_the_account_is_blocked_at_its_limit_for_at_most_the_window(throttle: LoginThrottle) -> None:
    for _ in range(3):
        await throttle.record_failure("ana", "10.0.0.1")
    wait = await throttle.retry_after("ana", "10.0.0.9")
    assert wait is not None and 0 < wait <= WINDOW


async def test_other_accounts_are_not_blocked_by_one_accounts_failures(throttle: LoginThrottle) -> None:
    for _ in range(3):
        await throttle.record_failure("ana", None)
    assert await throttle.retry_after("bruno", None) is None


async def test_an_ip_spraying_many_accounts_is_blocked(throttle: LoginThrottle) -> None:
    for n in range(5):
        await throttle.record_failure(f"account-{n}", "10.0.0.7")
    assert await throttle.retry_after("fresh-account", "10.0.0.7") is not None
    assert await throttle.retry_after("fresh-account", "10.0.0.8") is None


async def test_clearing_an_account_unblocks_it(throttle: LoginThrottle) -> None:
    for _ in range(3):
        await throttle.record_failure("ana", None)
    await throttle.clear_account("ana")
    assert await throttle.retry_after("ana", None) is None


async def test_the_window_ends_on_the_in_memory_clock() -> None:
    clock = ManualClock()
    throttle = InMemoryLoginThrottle(clock, account_limit=1, ip_limit=5, window_seconds=60)
    await throttle.record_failure("ana", None)
    assert await throttle.retry_after("ana", None) == 60
    from datetime import timedelta

    clock.advance(timedelta(seconds=61))
    assert await throttle.retry_after("ana", None) is None


async def test_the_redis_window_expires(redis) -> None:  # type: ignore[no-untyped-def]
    throttle = RedisLoginThrottle(redis, account_limit=1, ip_limit=5, window_seconds=1)
    await throttle.record_failure("ana", None)
    assert await throttle.retry_after("ana", None) == 1
    ttl = await redis.pttl("mg:login-failures:account:ana")
    assert 0 < ttl <= 1000
