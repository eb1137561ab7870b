"""Accounts and sessions on the fake container, driving the use cases: the limits and races a
scenario would need a crowd or a stopwatch for. The product story is features/identity/accounts.feature."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from application.identity.log_out import LogOutCommand
from application.identity.refresh_tokens import RefreshTokensCommand
from application.identity.register_account import RegisterAccountCommand
from domain.shared.errors import TooManyAttempts
from tests.support.accounts import PASSWORD
from tests.support.apps import FakeWorld, fake_container
from tests.use_cases.viewers import authenticate, sign_up


async def test_registrations_over_the_service_wide_limit_wait_for_the_next_minute(tmp_path: Path) -> None:
    world = fake_container(tmp_path, registrations_per_minute=3)
    register = world.container.identity.register_account()

    def from_address(n: int) -> RegisterAccountCommand:
        return RegisterAccountCommand(f"v{n}@example.com", PASSWORD, client_ip=f"198.51.100.{n}")

    for n in range(3):
        await register(from_address(n))
    with pytest.raises(TooManyAttempts) as refused:
        await register(from_address(9))
    assert 0 < refused.value.retry_after_seconds <= 60
    world.clock.advance(timedelta(seconds=61))
    await register(from_address(9))


async def test_eight_concurrent_refreshes_with_one_token_all_get_the_same_successor(world: FakeWorld) -> None:
    ana = await sign_up(world)
    refresh = world.container.identity.refresh_tokens()
    command = RefreshTokensCommand(ana.tokens.refresh_token)
    pairs = await asyncio.gather(*(refresh(command) for _ in range(8)))
    assert len({pair.refresh_token for pair in pairs}) == 1
    for pair in pairs:
        await authenticate(world, pair.access_token)
    await refresh(RefreshTokensCommand(pairs[0].refresh_token))  # the family lives on


async def test_signing_out_with_a_token_never_issued_changes_nothing(world: FakeWorld) -> None:
    ana = await sign_up(world)
    await world.container.identity.log_out()(LogOutCommand("never-issued"))
    await authenticate(world, ana.tokens.access_token)
    await world.container.identity.refresh_tokens()(RefreshTokensCommand(ana.tokens.refresh_token))
