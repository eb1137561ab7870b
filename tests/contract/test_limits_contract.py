"""One contract for the shared limits (second-factor attempt guard, registration limits, per-key API
rate limit and the last-use recording gate): the in-memory fakes and Redis both pass it."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from redis.asyncio import Redis

from adapters.identity import redis_limits
from adapters.identity.in_memory_limits import (
    InMemoryApiKeyRateLimiter,
    InMemoryApiKeyUsageRecorder,
    InMemoryFactorAttemptGuard,
    InMemoryRegistrationLimiter,
)
from adapters.identity.redis_limits import (
    RedisApiKeyRateLimiter,
    RedisApiKeyUsageRecorder,
    RedisFactorAttemptGuard,
    RedisRegistrationLimiter,
)
from adapters.shared.manual_clock import ManualClock
from application.identity.account_ports import RegistrationLimiter
from application.identity.api_key_ports import ApiKeyRateLimiter, ApiKeyUsageRecorder
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


REGISTRATIONS_PER_ADDRESS = 4
REGISTRATIONS_PER_MINUTE = 6


@pytest.fixture(params=["in-memory", "redis"])
def registrations(request: pytest.FixtureRequest) -> RegistrationLimiter:
    limits = {"per_ip": REGISTRATIONS_PER_ADDRESS, "ip_window_seconds": 3600, "per_minute": REGISTRATIONS_PER_MINUTE}
    if request.param == "in-memory":
        return InMemoryRegistrationLimiter(ManualClock(), **limits)
    return RedisRegistrationLimiter(request.getfixturevalue("redis"), **limits)


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


@pytest.fixture(params=["in-memory", "redis"])
def usage(request: pytest.FixtureRequest) -> ApiKeyUsageRecorder:
    if request.param == "in-memory":
        return InMemoryApiKeyUsageRecorder(ManualClock(), interval_seconds=60)
    return RedisApiKeyUsageRecorder(request.getfixturevalue("redis"), interval_seconds=60)


# --- second-factor attempt guard ------------------------------------------------------------


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


# --- registration limits --------------------------------------------------------------------


async def test_registrations_per_address_are_limited(registrations: RegistrationLimiter) -> None:
    for _ in range(REGISTRATIONS_PER_ADDRESS):
        await registrations.admit("198.51.100.7")
    with pytest.raises(TooManyAttempts) as refused:
        await registrations.admit("198.51.100.7")
    assert 0 < refused.value.retry_after_seconds <= 3600
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


# --- per-key API rate limit -----------------------------------------------------------------


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
    monkeypatch.setattr(redis_limits, "time", SimpleNamespace(time=lambda: thirty_seconds_into_a_minute))
    decision = await RedisApiKeyRateLimiter(redis).hit(uuid.uuid4(), 10)
    assert decision.reset_seconds == 30


# --- last-use recording gate ----------------------------------------------------------------


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
