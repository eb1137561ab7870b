"""The second-factor attempt guard's contract: the in-memory fake and Redis both pass it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from redis.asyncio import Redis

from adapters.identity.in_memory_factor_attempt_guard import InMemoryFactorAttemptGuard
from adapters.identity.redis_factor_attempt_guard import RedisFactorAttemptGuard
from adapters.shared.manual_clock import ManualClock
from application.identity.mfa_ports import FactorAttemptGuard
from domain.shared.errors import TooManyAttempts

ATTEMPTS = 5  # failed attempts per account
PER_ADDRESS_AND_ACCOUNT = 3
PER_ADDRESS = 12  # failed attempts per address, over all accounts
WINDOW = 60
LIMITS = {"per_account": ATTEMPTS, "per_ip_and_account": PER_ADDRESS_AND_ACCOUNT, "per_ip": PER_ADDRESS}


@pytest.fixture(params=["in-memory", "redis"])
def guard(request: pytest.FixtureRequest) -> FactorAttemptGuard:
    if request.param == "in-memory":
        return InMemoryFactorAttemptGuard(ManualClock(), **LIMITS, window_seconds=WINDOW)
    return RedisFactorAttemptGuard(request.getfixturevalue("redis"), **LIMITS, window_seconds=WINDOW)


async def fail(guard: FactorAttemptGuard, user_id: uuid.UUID, ip: str | None, times: int = 1) -> None:
    for _ in range(times):
        await guard.attempt(user_id, ip)


async def test_five_failed_attempts_per_account_are_allowed_then_the_account_must_wait(
    guard: FactorAttemptGuard,
) -> None:
    ana = uuid.uuid4()
    for n in range(ATTEMPTS):
        await guard.attempt(ana, f"10.0.0.{n}")
    with pytest.raises(TooManyAttempts) as blocked:
        await guard.attempt(ana, "10.0.0.99")
    assert 0 < blocked.value.retry_after_seconds <= WINDOW
    assert blocked.value.limiter == "second_factor"  # what the refusal is counted as


async def test_an_account_stays_blocked_while_attempts_continue(guard: FactorAttemptGuard) -> None:
    ana = uuid.uuid4()
    await fail(guard, ana, None, ATTEMPTS)
    for _ in range(3):
        with pytest.raises(TooManyAttempts) as blocked:
            await guard.attempt(ana, None)
        assert 0 < blocked.value.retry_after_seconds <= WINDOW


async def test_attempts_without_an_ip_are_limited_per_account(guard: FactorAttemptGuard) -> None:
    ana, bruno = uuid.uuid4(), uuid.uuid4()
    await fail(guard, ana, None, ATTEMPTS)
    with pytest.raises(TooManyAttempts):
        await guard.attempt(ana, None)
    await guard.attempt(bruno, None)


async def test_one_accounts_attempts_do_not_block_another_account(guard: FactorAttemptGuard) -> None:
    ana, bruno = uuid.uuid4(), uuid.uuid4()
    for n in range(ATTEMPTS):
        await guard.attempt(ana, f"10.0.1.{n}")
    with pytest.raises(TooManyAttempts):
        await guard.attempt(ana, "10.0.1.50")
    for n in range(ATTEMPTS):
        await guard.attempt(bruno, f"10.0.2.{n}")


async def test_successful_attempts_are_given_back_so_only_failures_count(guard: FactorAttemptGuard) -> None:
    ana = uuid.uuid4()
    for _ in range(3 * PER_ADDRESS):
        await guard.attempt(ana, "203.0.113.5")
        await guard.succeeded(ana, "203.0.113.5")
    await fail(guard, ana, "203.0.113.5", PER_ADDRESS_AND_ACCOUNT)
    with pytest.raises(TooManyAttempts):
        await guard.attempt(ana, "203.0.113.5")


async def test_many_people_behind_one_address_each_succeed(guard: FactorAttemptGuard) -> None:
    for _ in range(2 * PER_ADDRESS):
        housemate = uuid.uuid4()
        await guard.attempt(housemate, "203.0.113.5")
        await guard.succeeded(housemate, "203.0.113.5")


async def test_an_address_is_limited_on_one_account_before_the_account_is(guard: FactorAttemptGuard) -> None:
    ana = uuid.uuid4()
    await fail(guard, ana, "198.51.100.1", PER_ADDRESS_AND_ACCOUNT)
    with pytest.raises(TooManyAttempts):
        await guard.attempt(ana, "198.51.100.1")
    await fail(guard, ana, "198.51.100.2", ATTEMPTS - PER_ADDRESS_AND_ACCOUNT)  # the account has budget left
    with pytest.raises(TooManyAttempts):
        await guard.attempt(ana, "198.51.100.3")


async def test_failures_on_ones_own_account_do_not_block_a_neighbour_at_the_same_address(
    guard: FactorAttemptGuard,
) -> None:
    mallory, ana = uuid.uuid4(), uuid.uuid4()
    await fail(guard, mallory, "203.0.113.5", PER_ADDRESS_AND_ACCOUNT)
    with pytest.raises(TooManyAttempts):
        await guard.attempt(mallory, "203.0.113.5")
    await guard.attempt(ana, "203.0.113.5")


async def test_an_address_failing_on_many_accounts_is_blocked_for_every_account(guard: FactorAttemptGuard) -> None:
    for _ in range(PER_ADDRESS):
        await guard.attempt(uuid.uuid4(), "203.0.113.5")
    with pytest.raises(TooManyAttempts) as blocked:
        await guard.attempt(uuid.uuid4(), "203.0.113.5")
    assert 0 < blocked.value.retry_after_seconds <= WINDOW


async def test_a_refusal_by_the_address_limit_does_not_count_against_the_account(guard: FactorAttemptGuard) -> None:
    ana = uuid.uuid4()
    for _ in range(PER_ADDRESS):
        await guard.attempt(uuid.uuid4(), "203.0.113.5")
    for _ in range(2 * ATTEMPTS):
        with pytest.raises(TooManyAttempts):
            await guard.attempt(ana, "203.0.113.5")
    for n in range(ATTEMPTS):  # Ana's own budget is untouched
        await guard.attempt(ana, f"198.51.100.{n}")


async def test_a_blocked_address_does_not_block_other_addresses(guard: FactorAttemptGuard) -> None:
    for _ in range(PER_ADDRESS):
        await guard.attempt(uuid.uuid4(), "203.0.113.5")
    with pytest.raises(TooManyAttempts):
        await guard.attempt(uuid.uuid4(), "203.0.113.5")
    for _ in range(PER_ADDRESS):
        await guard.attempt(uuid.uuid4(), "203.0.113.6")
    await guard.attempt(uuid.uuid4(), None)


async def test_concurrent_attempts_let_exactly_the_limit_through(guard: FactorAttemptGuard) -> None:
    ana = uuid.uuid4()

    async def try_once() -> bool:
        try:
            await guard.attempt(ana, None)
        except TooManyAttempts:
            return False
        return True

    results = await asyncio.gather(*(try_once() for _ in range(3 * ATTEMPTS)))
    assert results.count(True) == ATTEMPTS


async def test_the_in_memory_guard_window_ends_on_the_clock() -> None:
    clock = ManualClock()
    guard = InMemoryFactorAttemptGuard(clock, **LIMITS, window_seconds=WINDOW)
    ana = uuid.uuid4()
    await fail(guard, ana, "10.0.0.1", PER_ADDRESS_AND_ACCOUNT)
    clock.advance(timedelta(seconds=45))
    with pytest.raises(TooManyAttempts) as blocked:
        await guard.attempt(ana, "10.0.0.1")
    assert blocked.value.retry_after_seconds == 15
    clock.advance(timedelta(seconds=15))
    await fail(guard, ana, "10.0.0.1", PER_ADDRESS_AND_ACCOUNT)


async def test_the_redis_guard_counters_expire_with_the_window(redis: Redis) -> None:
    guard = RedisFactorAttemptGuard(redis, **LIMITS, window_seconds=WINDOW)
    ana = uuid.uuid4()
    await guard.attempt(ana, "10.9.9.9")
    keys = (f"mg:mfa-attempts:user:{ana}", f"mg:mfa-attempts:ip-user:10.9.9.9:{ana}", "mg:mfa-attempts:ip:10.9.9.9")
    for key in keys:
        assert 0 < await redis.pttl(key) <= WINDOW * 1000
