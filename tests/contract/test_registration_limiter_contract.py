"""The registration limits' contract: the in-memory fake and Redis both pass it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from redis.asyncio import Redis

from adapters.identity.in_memory_registration_limiter import InMemoryRegistrationLimiter
from adapters.identity.redis_registration_limiter import RedisRegistrationLimiter
from adapters.shared.manual_clock import ManualClock
from application.identity.account_ports import RegistrationLimiter
from domain.shared.errors import TooManyAttempts

REGISTRATIONS_PER_ADDRESS = 4
REGISTRATIONS_PER_MINUTE = 6


@pytest.fixture(params=["in-memory", "redis"])
def registrations(request: pytest.FixtureRequest) -> RegistrationLimiter:
    limits = {"per_ip": REGISTRATIONS_PER_ADDRESS, "ip_window_seconds": 3600, "per_minute": REGISTRATIONS_PER_MINUTE}
    if request.param == "in-memory":
        return InMemoryRegistrationLimiter(ManualClock(), **limits)
    return RedisRegistrationLimiter(request.getfixturevalue("redis"), **limits)


async def test_registrations_per_address_are_limited(registrations: RegistrationLimiter) -> None:
    for _ in range(REGISTRATIONS_PER_ADDRESS):
        await registrations.admit("198.51.100.7")
    with pytest.raises(TooManyAttempts) as refused:
        await registrations.admit("198.51.100.7")
    assert 0 < refused.value.retry_after_seconds <= 3600
    assert refused.value.limiter == "registration"  # what the refusal is counted as
    await registrations.admit("198.51.100.8")


async def test_registrations_for_the_whole_service_are_limited_per_minute(registrations: RegistrationLimiter) -> None:
    for n in range(REGISTRATIONS_PER_MINUTE):
        await registrations.admit(f"198.51.100.{n}" if n % 2 else None)
    with pytest.raises(TooManyAttempts) as refused:
        await registrations.admit("203.0.113.1")
    assert 0 < refused.value.retry_after_seconds <= 60


async def test_an_address_over_its_limit_does_not_use_up_the_service_wide_budget(
    registrations: RegistrationLimiter,
) -> None:
    for _ in range(REGISTRATIONS_PER_ADDRESS):
        await registrations.admit("198.51.100.7")
    for _ in range(3 * REGISTRATIONS_PER_MINUTE):
        with pytest.raises(TooManyAttempts):
            await registrations.admit("198.51.100.7")
    for n in range(REGISTRATIONS_PER_MINUTE - REGISTRATIONS_PER_ADDRESS):
        await registrations.admit(f"203.0.113.{n}")


async def test_concurrent_registrations_let_exactly_the_limit_through(registrations: RegistrationLimiter) -> None:
    async def try_once() -> bool:
        try:
            await registrations.admit("198.51.100.7")
        except TooManyAttempts:
            return False
        return True

    results = await asyncio.gather(*(try_once() for _ in range(3 * REGISTRATIONS_PER_ADDRESS)))
    assert results.count(True) == REGISTRATIONS_PER_ADDRESS


async def test_the_in_memory_registration_limits_reset_on_the_clock() -> None:
    clock = ManualClock()
    registrations = InMemoryRegistrationLimiter(clock, per_ip=1, ip_window_seconds=3600, per_minute=100)
    await registrations.admit("198.51.100.7")
    clock.advance(timedelta(minutes=59))
    with pytest.raises(TooManyAttempts) as refused:
        await registrations.admit("198.51.100.7")
    assert refused.value.retry_after_seconds == 60
    clock.advance(timedelta(minutes=1))
    await registrations.admit("198.51.100.7")


async def test_the_redis_registration_counters_expire_with_their_windows(redis: Redis) -> None:
    registrations = RedisRegistrationLimiter(redis, per_ip=10, ip_window_seconds=3600, per_minute=100)
    await registrations.admit("198.51.100.7")
    assert 3_590_000 < await redis.pttl("mg:registrations:ip:198.51.100.7") <= 3_600_000
    assert 0 < await redis.pttl("mg:registrations:all") <= 60_000
