"""The device authorization store's contract (RFC 8628 sign-in): found by device code digest and
by user code, one authorization per user code, each status change at most once, forgotten a while
after expiry. The in-memory fake and Redis both pass it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from redis.asyncio import Redis

from adapters.identity.in_memory_device_authorization_store import LINGER, InMemoryDeviceAuthorizationStore
from adapters.identity.redis_device_authorization_store import LINGER as REDIS_LINGER
from adapters.identity.redis_device_authorization_store import RedisDeviceAuthorizationStore
from adapters.shared.manual_clock import ManualClock
from application.identity.device_authorization_ports import DeviceAuthorizationStore
from domain.identity.device_authorization import (
    DEVICE_AUTHORIZATION_TTL,
    DeviceAuthorization,
    DeviceAuthorizationStatus,
)

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
ANA = uuid.uuid4()


@pytest.fixture(params=["in-memory", "redis"])
def store(request: pytest.FixtureRequest) -> DeviceAuthorizationStore:
    if request.param == "in-memory":
        return InMemoryDeviceAuthorizationStore(ManualClock(NOW))
    return RedisDeviceAuthorizationStore(request.getfixturevalue("redis"))


def an_authorization(user_code: str = "BCDFGHJK", client_name: str | None = "Living room TV") -> DeviceAuthorization:
    return DeviceAuthorization.start(uuid.uuid4().hex, user_code, client_name, NOW)


async def test_an_authorization_is_found_by_digest_and_by_user_code(store: DeviceAuthorizationStore) -> None:
    authorization = an_authorization()
    assert await store.add(authorization) is True
    assert await store.get(authorization.device_code_digest) == authorization
    assert await store.find_by_user_code("BCDFGHJK") == authorization
    assert await store.get("unknown") is None
    assert await store.find_by_user_code("ZZZZZZZZ") is None


async def test_a_nameless_authorization_keeps_no_name(store: DeviceAuthorizationStore) -> None:
    authorization = an_authorization(client_name=None)
    await store.add(authorization)
    assert await store.get(authorization.device_code_digest) == authorization


async def test_a_user_code_belongs_to_one_authorization(store: DeviceAuthorizationStore) -> None:
    first, second = an_authorization(), an_authorization()
    assert await store.add(first) is True
    assert await store.add(second) is False
    assert await store.get(second.device_code_digest) is None
    assert await store.find_by_user_code("BCDFGHJK") == first


async def test_an_approval_is_kept_once(store: DeviceAuthorizationStore) -> None:
    authorization = an_authorization()
    await store.add(authorization)
    approved = authorization.approve(ANA, NOW - timedelta(minutes=3), NOW)
    assert await store.settle(approved) is True
    assert await store.settle(authorization.deny(NOW)) is False
    assert await store.get(authorization.device_code_digest) == approved


async def test_a_denial_is_kept_and_cannot_become_an_approval(store: DeviceAuthorizationStore) -> None:
    authorization = an_authorization()
    await store.add(authorization)
    assert await store.settle(authorization.deny(NOW)) is True
    assert await store.settle(authorization.approve(ANA, NOW, NOW)) is False
    kept = await store.get(authorization.device_code_digest)
    assert kept is not None and kept.status is DeviceAuthorizationStatus.DENIED and kept.approval is None


async def test_only_an_approved_authorization_is_consumed_and_only_once(store: DeviceAuthorizationStore) -> None:
    authorization = an_authorization()
    await store.add(authorization)
    assert await store.consume(authorization.device_code_digest) is False
    await store.settle(authorization.approve(ANA, NOW, NOW))
    assert await store.consume(authorization.device_code_digest) is True
    assert await store.consume(authorization.device_code_digest) is False
    kept = await store.get(authorization.device_code_digest)
    assert kept is not None and kept.status is DeviceAuthorizationStatus.CONSUMED
    assert await store.consume("unknown") is False


async def test_concurrent_consumptions_let_exactly_one_win(store: DeviceAuthorizationStore) -> None:
    authorization = an_authorization()
    await store.add(authorization)
    await store.settle(authorization.approve(ANA, NOW, NOW))
    results = await asyncio.gather(*(store.consume(authorization.device_code_digest) for _ in range(10)))
    assert sorted(results) == [False] * 9 + [True]


async def test_concurrent_approvals_let_exactly_one_win(store: DeviceAuthorizationStore) -> None:
    authorization = an_authorization()
    await store.add(authorization)
    approvals = [authorization.approve(uuid.uuid4(), NOW, NOW) for _ in range(10)]
    results = await asyncio.gather(*(store.settle(approved) for approved in approvals))
    assert sorted(results) == [False] * 9 + [True]
    kept = await store.get(authorization.device_code_digest)
    assert kept is not None and kept.approval == approvals[results.index(True)].approval


async def test_a_poll_keeps_its_time_and_interval_but_never_the_status(store: DeviceAuthorizationStore) -> None:
    authorization = an_authorization()
    await store.add(authorization)
    await store.settle(authorization.approve(ANA, NOW, NOW))
    polled = attrs.evolve(authorization, last_polled_at=NOW + timedelta(seconds=3), interval_seconds=10)
    await store.record_poll(polled)
    kept = await store.get(authorization.device_code_digest)
    assert kept is not None
    assert (kept.last_polled_at, kept.interval_seconds) == (NOW + timedelta(seconds=3), 10)
    assert kept.status is DeviceAuthorizationStatus.APPROVED


async def test_a_poll_of_an_unknown_authorization_keeps_nothing(store: DeviceAuthorizationStore) -> None:
    await store.record_poll(an_authorization())
    assert await store.find_by_user_code("BCDFGHJK") is None


async def test_the_in_memory_authorization_is_forgotten_a_while_after_it_expires() -> None:
    clock = ManualClock(NOW)
    store = InMemoryDeviceAuthorizationStore(clock)
    authorization = an_authorization()
    await store.add(authorization)
    clock.advance(DEVICE_AUTHORIZATION_TTL + LINGER - timedelta(seconds=1))
    assert await store.get(authorization.device_code_digest) is not None
    clock.advance(timedelta(seconds=1))
    assert await store.get(authorization.device_code_digest) is None
    assert await store.add(an_authorization()) is True  # its user code is free again


async def test_the_redis_keys_expire_a_while_after_the_authorization(redis: Redis) -> None:
    store = RedisDeviceAuthorizationStore(redis)
    authorization = an_authorization()
    await store.add(authorization)
    lifetime_ms = (DEVICE_AUTHORIZATION_TTL + REDIS_LINGER).total_seconds() * 1000
    for key in (f"mg:device-auth:{authorization.device_code_digest}", "mg:device-user-code:BCDFGHJK"):
        assert lifetime_ms - 5000 < await redis.pttl(key) <= lifetime_ms


async def test_both_stores_linger_alike() -> None:
    assert LINGER == REDIS_LINGER
