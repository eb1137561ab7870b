"""API keys on the fake container, driving the use cases: defaults, storage, refusals that must
look alike, and what is recorded on use. The product story is features/identity/api_keys.feature."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from application.identity.api_keys import (
    CreateApiKeyCommand,
    CreatedApiKey,
    ReportLeakedApiKeysCommand,
    RevokeApiKeyCommand,
)
from application.identity.authenticate import Authenticated
from domain.identity.api_key import RANDOM_BYTES, encode_api_key
from domain.identity.errors import InvalidApiKey
from domain.shared.errors import RateLimited
from tests.support.accounts import PASSWORD
from tests.support.apps import FakeWorld
from tests.use_cases.viewers import Viewer, security_log, sign_in, sign_up

ADDRESS = "203.0.113.5"


async def create_key(
    world: FakeWorld,
    viewer: Viewer,
    scopes: tuple[str, ...] = ("read",),
    expires_in_days: int | None = None,
    rate_limit_per_minute: int | None = None,
) -> CreatedApiKey:
    command = CreateApiKeyCommand(
        viewer.principal,
        "TV app",
        list(scopes),
        PASSWORD,
        expires_in_days=expires_in_days,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    return await world.container.identity.create_api_key()(command)


async def use_key(world: FakeWorld, key: str) -> Authenticated:
    return await world.container.identity.authenticate()(None, api_key_header=key, ip=ADDRESS)


async def test_a_new_key_lasts_90_days_allows_60_requests_a_minute_and_is_kept_only_as_a_digest(
    world: FakeWorld,
) -> None:
    ana = await sign_up(world)
    created = await create_key(world, ana, scopes=("write",))
    key = created.api_key
    assert key.scopes == frozenset({"read", "write"})  # write implies read
    assert key.rate_limit_per_minute == 60
    assert key.expires_at == world.clock.now() + timedelta(days=90)
    (stored,) = world.identity.state.api_keys.values()
    assert created.key not in repr(stored) and len(stored.digest) == 64
    (listed,) = await world.container.identity.list_api_keys()(ana.principal)
    assert listed.api_key.revoked_at is None and listed.api_key.last_used_at is None and listed.expired is False


async def test_unknown_revoked_expired_and_malformed_keys_are_refused_alike(world: FakeWorld) -> None:
    ana = await sign_up(world)
    revoked = await create_key(world, ana)
    expiring = await create_key(world, ana, expires_in_days=1)
    await world.container.identity.revoke_api_key()(RevokeApiKeyCommand(ana.principal, revoked.api_key.id))
    world.clock.advance(timedelta(days=1, seconds=1))
    unknown = encode_api_key(os.urandom(RANDOM_BYTES))
    mistyped = expiring.key[:-1] + ("A" if expiring.key[-1] != "A" else "B")
    refusals = []
    for key in (revoked.key, expiring.key, unknown, mistyped, "mg_live_short", "not-a-key-at-all"):
        with pytest.raises(InvalidApiKey) as refused:
            await use_key(world, key)
        refusals.append(str(refused.value))
    assert len(set(refusals)) == 1


async def test_each_key_has_its_own_rate_limit_and_it_refills_after_a_minute(world: FakeWorld) -> None:
    ana = await sign_up(world)
    limited = await create_key(world, ana, rate_limit_per_minute=1)
    other = await create_key(world, ana)
    await use_key(world, limited.key)
    with pytest.raises(RateLimited):
        await use_key(world, limited.key)
    assert (await use_key(world, other.key)).principal.api_key_id == other.api_key.id
    world.clock.advance(timedelta(seconds=61))
    await use_key(world, limited.key)


async def test_last_use_is_recorded_at_most_once_a_minute(world: FakeWorld) -> None:
    created = await create_key(world, await sign_up(world))
    first_use = world.clock.now()
    await use_key(world, created.key)
    world.clock.advance(timedelta(seconds=20))
    await use_key(world, created.key)
    stored = world.identity.state.api_keys[created.api_key.id]
    assert (stored.last_used_at, stored.last_used_ip) == (first_use, ADDRESS)
    world.clock.advance(timedelta(seconds=41))
    await use_key(world, created.key)
    assert world.identity.state.api_keys[created.api_key.id].last_used_at == world.clock.now()


async def test_a_leak_report_skips_what_is_not_a_key_and_revokes_a_key_once(world: FakeWorld) -> None:
    ana = await sign_up(world)
    created = await create_key(world, ana)
    world.clock.advance(timedelta(seconds=1))
    report = world.container.identity.report_leaked_api_keys()
    assert await report(ReportLeakedApiKeysCommand([created.key, "mg_live_garbage", "x"], ADDRESS)) == 1
    assert await report(ReportLeakedApiKeysCommand([created.key], ADDRESS)) == 0
    assert await security_log(world, await sign_in(world)) == ["api_key_leaked", "api_key_created"]
