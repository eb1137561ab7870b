"""The user-code guess guard's contract: wrong codes counted per client IP over 15 minutes, right
ones given back, a refusal counting nothing. The in-memory fake and Redis both pass it."""

from __future__ import annotations

import asyncio

import pytest

from adapters.identity.in_memory_device_code_guess_guard import InMemoryDeviceCodeGuessGuard
from adapters.identity.redis_device_code_guess_guard import RedisDeviceCodeGuessGuard
from adapters.shared.manual_clock import ManualClock
from application.identity.device_authorization_ports import DeviceCodeGuessGuard
from domain.shared.errors import TooManyAttempts

LIMIT = 3


@pytest.fixture(params=["in-memory", "redis"])
def guard(request: pytest.FixtureRequest) -> DeviceCodeGuessGuard:
    if request.param == "in-memory":
        return InMemoryDeviceCodeGuessGuard(ManualClock(), per_ip=LIMIT)
    return RedisDeviceCodeGuessGuard(request.getfixturevalue("redis"), per_ip=LIMIT)


async def test_wrong_codes_up_to_the_limit_pass_and_the_next_is_refused(guard: DeviceCodeGuessGuard) -> None:
    for _ in range(LIMIT):
        await guard.attempt("203.0.113.7")
    with pytest.raises(TooManyAttempts) as refused:
        await guard.attempt("203.0.113.7")
    assert refused.value.limiter == "device_code"
    assert 0 < refused.value.retry_after_seconds <= 15 * 60


async def test_another_address_has_its_own_budget(guard: DeviceCodeGuessGuard) -> None:
    for _ in range(LIMIT):
        await guard.attempt("203.0.113.7")
    await guard.attempt("198.51.100.2")


async def test_matched_codes_do_not_count(guard: DeviceCodeGuessGuard) -> None:
    for _ in range(LIMIT * 3):
        await guard.attempt("203.0.113.7")
        await guard.matched("203.0.113.7")
    for _ in range(LIMIT):
        await guard.attempt("203.0.113.7")


async def test_an_unknown_address_shares_one_budget(guard: DeviceCodeGuessGuard) -> None:
    for _ in range(LIMIT):
        await guard.attempt(None)
    with pytest.raises(TooManyAttempts):
        await guard.attempt(None)


async def test_concurrent_guesses_cannot_overrun_the_limit(guard: DeviceCodeGuessGuard) -> None:
    results = await asyncio.gather(*(guard.attempt("203.0.113.7") for _ in range(10)), return_exceptions=True)
    assert sum(1 for result in results if isinstance(result, TooManyAttempts)) == 10 - LIMIT
