"""The one-time login code store's contract: the in-memory fake and Redis both pass it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from redis.asyncio import Redis

from adapters.identity.in_memory_login_code_store import InMemoryLoginCodeStore
from adapters.identity.redis_login_code_store import RedisLoginCodeStore
from adapters.shared.manual_clock import ManualClock
from application.identity.external_identity_ports import LoginCodeStore, LoginGrant
from application.identity.identity_provider_ports import ProviderIdentity

TTL = timedelta(seconds=60)
GRANT = LoginGrant(user_id=uuid.uuid4(), provider="github", auth_time=datetime(2026, 12, 1, 19, 0, tzinfo=UTC))
LINK_TTL = timedelta(minutes=10)
ANA_AT_GOOGLE = ProviderIdentity(
    provider="google", subject="1102", email="ana@example.com", email_verified=True, display_name="Ana"
)
LINK = attrs.evolve(GRANT, provider="google", link=ANA_AT_GOOGLE)


@pytest.fixture(params=["in-memory", "redis"])
def codes(request: pytest.FixtureRequest) -> LoginCodeStore:
    if request.param == "in-memory":
        return InMemoryLoginCodeStore(ManualClock(), ttl=TTL)
    return RedisLoginCodeStore(request.getfixturevalue("redis"), ttl=TTL)


async def test_a_code_gives_its_grant_once(codes: LoginCodeStore) -> None:
    await codes.put("digest-1", GRANT)
    assert await codes.take("digest-2") is None
    assert await codes.take("digest-1") == GRANT
    assert await codes.take("digest-1") is None


@pytest.mark.parametrize(
    "link", [ANA_AT_GOOGLE, ProviderIdentity(provider="github", subject="7", email=None, email_verified=False)]
)
async def test_a_link_grant_comes_back_with_its_identity(codes: LoginCodeStore, link: ProviderIdentity) -> None:
    grant = attrs.evolve(GRANT, provider=link.provider, link=link)
    await codes.put("digest-1", grant, ttl=LINK_TTL)
    assert await codes.take("digest-1") == grant


async def test_of_two_exchanges_racing_with_one_code_only_one_gets_the_grant(codes: LoginCodeStore) -> None:
    await codes.put("digest-1", GRANT)
    taken = await asyncio.gather(*(codes.take("digest-1") for _ in range(10)))
    assert [grant for grant in taken if grant is not None] == [GRANT]


async def test_the_in_memory_code_lapses_after_its_ttl() -> None:
    clock = ManualClock()
    codes = InMemoryLoginCodeStore(clock, ttl=TTL)
    await codes.put("digest-1", GRANT)
    await codes.put("digest-2", GRANT)
    clock.advance(TTL - timedelta(seconds=1))
    assert await codes.take("digest-1") == GRANT
    clock.advance(timedelta(seconds=1))
    assert await codes.take("digest-2") is None


async def test_an_in_memory_code_put_with_its_own_ttl_lives_that_long() -> None:
    clock = ManualClock()
    codes = InMemoryLoginCodeStore(clock, ttl=TTL)
    await codes.put("digest-1", LINK, ttl=LINK_TTL)
    await codes.put("digest-2", LINK, ttl=LINK_TTL)
    clock.advance(LINK_TTL - timedelta(seconds=1))
    assert await codes.take("digest-1") == LINK
    clock.advance(timedelta(seconds=1))
    assert await codes.take("digest-2") is None


async def test_a_redis_code_put_with_its_own_ttl_expires_after_it(redis: Redis) -> None:
    await RedisLoginCodeStore(redis, ttl=TTL).put("digest-1", LINK, ttl=LINK_TTL)
    ttl = await redis.pttl("mg:login-code:digest-1")
    assert LINK_TTL.total_seconds() * 1000 - 5000 < ttl <= LINK_TTL.total_seconds() * 1000


async def test_the_redis_code_expires_after_its_ttl_under_the_codes_digest(redis: Redis) -> None:
    await RedisLoginCodeStore(redis, ttl=TTL).put("digest-1", GRANT)
    ttl = await redis.pttl("mg:login-code:digest-1")
    assert TTL.total_seconds() * 1000 - 5000 < ttl <= TTL.total_seconds() * 1000


async def test_a_redis_code_put_by_one_process_is_taken_by_another(redis: Redis, redis_url: str) -> None:
    other_process = Redis.from_url(redis_url)
    try:
        await RedisLoginCodeStore(redis, ttl=TTL).put("digest-1", GRANT)
        assert await RedisLoginCodeStore(other_process, ttl=TTL).take("digest-1") == GRANT
    finally:
        await other_process.aclose()
