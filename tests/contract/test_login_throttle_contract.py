"""One contract for the login throttle: the in-memory fake and Redis both pass it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from redis.asyncio import Redis

from adapters.identity.in_memory_login_throttle import InMemoryLoginThrottle
from adapters.identity.redis_login_throttle import RedisLoginThrottle
from adapters.shared.manual_clock import ManualClock
from application.identity.account_ports import LoginThrottle

WINDOW = 900
PER_ACCOUNT_AND_IP, PER_ACCOUNT, PER_IP = 3, 6, 5
LIMITS = {"account_ip_limit": PER_ACCOUNT_AND_IP, "account_limit": PER_ACCOUNT, "ip_limit": PER_IP}


@pytest.fixture(params=["in-memory", "redis"])
def throttle(request: pytest.FixtureRequest) -> LoginThrottle:
    if request.param == "in-memory":
        return InMemoryLoginThrottle(ManualClock(), **LIMITS, window_seconds=WINDOW)
    return RedisLoginThrottle(request.getfixturevalue("redis"), **LIMITS, window_seconds=WINDOW)


async def fail(throttle: LoginThrottle, account: str, ip: str | None, times: int) -> None:
    for _ in range(times):
        await throttle.record_failure(account, ip)


async def test_failures_under_the_limit_do_not_block(throttle: LoginThrottle) -> None:
    await fail(throttle, "ana", "10.0.0.1", PER_ACCOUNT_AND_IP - 1)
    assert await throttle.retry_after("ana", "10.0.0.1") is None


async def test_an_address_is_blocked_on_an_account_at_its_limit_for_at_most_the_window(
    throttle: LoginThrottle,
) -> None:
    await fail(throttle, "ana", "10.0.0.1", PER_ACCOUNT_AND_IP)
    wait = await throttle.retry_after("ana", "10.0.0.1")
    assert wait is not None and 0 < wait <= WINDOW


async def test_failures_from_one_address_do_not_block_the_account_from_another(throttle: LoginThrottle) -> None:
    await fail(throttle, "ana", "10.0.0.1", PER_ACCOUNT_AND_IP)
    assert await throttle.retry_after("ana", "10.0.0.1") is not None
    assert await throttle.retry_after("ana", "10.0.0.9") is None


async def test_the_account_is_blocked_everywhere_past_its_loose_limit(throttle: LoginThrottle) -> None:
    for n in range(PER_ACCOUNT):
        await throttle.record_failure("ana", f"10.0.1.{n}")
    wait = await throttle.retry_after("ana", "10.0.0.9")
    assert wait is not None and 0 < wait <= WINDOW


async def test_failures_without_an_address_are_limited_together(throttle: LoginThrottle) -> None:
    await fail(throttle, "ana", None, PER_ACCOUNT_AND_IP)
    assert await throttle.retry_after("ana", None) is not None
    assert await throttle.retry_after("ana", "10.0.0.1") is None


async def test_other_accounts_are_not_blocked_by_one_accounts_failures(throttle: LoginThrottle) -> None:
    await fail(throttle, "ana", None, PER_ACCOUNT)
    assert await throttle.retry_after("bruno", None) is None


async def test_an_ip_spraying_many_accounts_is_blocked(throttle: LoginThrottle) -> None:
    for n in range(PER_IP):
        await throttle.record_failure(f"account-{n}", "10.0.0.7")
    assert await throttle.retry_after("fresh-account", "10.0.0.7") is not None
    assert await throttle.retry_after("fresh-account", "10.0.0.8") is None


async def test_clearing_an_account_unblocks_it_from_that_address(throttle: LoginThrottle) -> None:
    await fail(throttle, "ana", None, PER_ACCOUNT_AND_IP)
    await throttle.clear_account("ana", None)
    assert await throttle.retry_after("ana", None) is None


async def test_clearing_an_account_from_one_address_leaves_another_address_blocked(throttle: LoginThrottle) -> None:
    await fail(throttle, "ana", "10.0.0.1", PER_ACCOUNT_AND_IP)
    await throttle.clear_account("ana", "10.0.0.2")
    assert await throttle.retry_after("ana", "10.0.0.1") is not None
    assert await throttle.retry_after("ana", "10.0.0.2") is None


async def test_the_window_ends_on_the_in_memory_clock() -> None:
    clock = ManualClock()
    throttle = InMemoryLoginThrottle(clock, account_limit=1, account_ip_limit=1, ip_limit=5, window_seconds=60)
    await throttle.record_failure("ana", None)
    assert await throttle.retry_after("ana", None) == 60
    clock.advance(timedelta(seconds=61))
    assert await throttle.retry_after("ana", None) is None


async def test_the_redis_window_expires(redis: Redis) -> None:
    throttle = RedisLoginThrottle(redis, account_limit=1, account_ip_limit=1, ip_limit=5, window_seconds=1)
    await throttle.record_failure("ana", "10.0.0.1")
    assert await throttle.retry_after("ana", None) == 1
    for key in ("account:ana", "account-ip:ana:10.0.0.1", "ip:10.0.0.1"):
        assert 0 < await redis.pttl(f"mg:login-failures:{key}") <= 1000
