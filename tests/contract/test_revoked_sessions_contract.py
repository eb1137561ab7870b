"""One contract for the revoked-session set: the in-memory fake and Redis both pass it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from redis.asyncio import Redis

from adapters.identity.in_memory_revoked_sessions import InMemoryRevokedSessions
from adapters.identity.redis_revoked_sessions import RedisRevokedSessions
from adapters.shared.manual_clock import ManualClock
from application.identity.account_ports import RevokedSessions

LIFETIME = timedelta(minutes=16)


@pytest.fixture(params=["in-memory", "redis"])
def revoked(request: pytest.FixtureRequest) -> RevokedSessions:
    if request.param == "in-memory":
        return InMemoryRevokedSessions(ManualClock(), remember_for=LIFETIME)
    return RedisRevokedSessions(request.getfixturevalue("redis"), remember_for=LIFETIME)


async def test_a_live_session_is_not_revoked(revoked: RevokedSessions) -> None:
    assert await revoked.is_revoked(uuid.uuid4()) is False


async def test_a_revoked_session_is_revoked_and_no_other(revoked: RevokedSessions) -> None:
    ended, other = uuid.uuid4(), uuid.uuid4()
    await revoked.revoke(ended)
    assert await revoked.is_revoked(ended) is True
    assert await revoked.is_revoked(other) is False


async def test_revoking_twice_keeps_it_revoked(revoked: RevokedSessions) -> None:
    ended = uuid.uuid4()
    await revoked.revoke(ended)
    await revoked.revoke(ended)
    assert await revoked.is_revoked(ended) is True


async def test_many_concurrent_checks_each_get_their_own_answer(revoked: RevokedSessions) -> None:
    sessions = [uuid.uuid4() for _ in range(50)]
    for session in sessions[::2]:
        await revoked.revoke(session)
    answers = await asyncio.gather(*(revoked.is_revoked(s) for s in sessions))
    assert answers == [n % 2 == 0 for n in range(50)]


async def test_the_in_memory_revocation_is_forgotten_once_no_access_token_can_be_valid() -> None:
    clock = ManualClock()
    revoked = InMemoryRevokedSessions(clock, remember_for=LIFETIME)
    ended = uuid.uuid4()
    await revoked.revoke(ended)
    clock.advance(LIFETIME - timedelta(seconds=1))
    assert await revoked.is_revoked(ended) is True
    clock.advance(timedelta(seconds=1))
    assert await revoked.is_revoked(ended) is False


async def test_the_redis_revocation_expires_with_the_access_token_lifetime(redis: Redis) -> None:
    revoked = RedisRevokedSessions(redis, remember_for=LIFETIME)
    ended = uuid.uuid4()
    await revoked.revoke(ended)
    ttl = await redis.pttl(f"mg:revoked-session:{ended}")
    assert LIFETIME.total_seconds() * 1000 - 5000 < ttl <= LIFETIME.total_seconds() * 1000


async def test_a_redis_revocation_is_seen_by_another_client(redis: Redis, redis_url: str) -> None:
    other_process = Redis.from_url(redis_url)
    try:
        ended = uuid.uuid4()
        await RedisRevokedSessions(redis, remember_for=LIFETIME).revoke(ended)
        assert await RedisRevokedSessions(other_process, remember_for=LIFETIME).is_revoked(ended) is True
    finally:
        await other_process.aclose()
