"""The provider flow store's contract: the in-memory fake and Redis both pass it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from adapters.identity.in_memory_provider_flow_store import InMemoryProviderFlowStore
from adapters.identity.redis_provider_flow_store import RedisProviderFlowStore
from adapters.shared.manual_clock import ManualClock
from application.identity.external_identity_ports import ProviderFlow, ProviderFlowStore

TTL = timedelta(minutes=10)
CREATED = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)

A_SIGN_IN = ProviderFlow(
    provider="github",
    code_verifier="v" * 43,
    nonce=None,
    redirect_uri=None,
    link_user_id=None,
    created_at=CREATED,
)
A_LINK = ProviderFlow(
    provider="google",
    code_verifier="w" * 43,
    nonce="n" * 43,
    redirect_uri="https://app.example/after-sign-in",
    link_user_id=uuid.uuid4(),
    created_at=CREATED,
    client_state="app-state",
)


@pytest.fixture(params=["in-memory", "redis"])
def flows(request: pytest.FixtureRequest) -> ProviderFlowStore:
    if request.param == "in-memory":
        return InMemoryProviderFlowStore(ManualClock(), ttl=TTL)
    return RedisProviderFlowStore(request.getfixturevalue("redis"), ttl=TTL)


@pytest.mark.parametrize("flow", [A_SIGN_IN, A_LINK], ids=["sign-in", "link"])
async def test_a_flow_comes_back_whole_once(flows: ProviderFlowStore, flow: ProviderFlow) -> None:
    await flows.put("digest-1", flow)
    assert await flows.take("digest-1") == flow
    assert await flows.take("digest-1") is None


async def test_an_unknown_state_has_no_flow(flows: ProviderFlowStore) -> None:
    await flows.put("digest-1", A_SIGN_IN)
    assert await flows.take("digest-2") is None
    assert await flows.take("digest-1") == A_SIGN_IN


async def test_of_two_callbacks_racing_with_one_state_only_one_gets_the_flow(flows: ProviderFlowStore) -> None:
    await flows.put("digest-1", A_SIGN_IN)
    taken = await asyncio.gather(*(flows.take("digest-1") for _ in range(10)))
    assert [flow for flow in taken if flow is not None] == [A_SIGN_IN]


async def test_the_in_memory_flow_lapses_after_its_ttl() -> None:
    clock = ManualClock()
    flows = InMemoryProviderFlowStore(clock, ttl=TTL)
    await flows.put("digest-1", A_SIGN_IN)
    await flows.put("digest-2", A_SIGN_IN)
    clock.advance(TTL - timedelta(seconds=1))
    assert await flows.take("digest-1") == A_SIGN_IN
    clock.advance(timedelta(seconds=1))
    assert await flows.take("digest-2") is None


async def test_the_redis_flow_expires_after_its_ttl_under_the_states_digest(redis: Redis) -> None:
    await RedisProviderFlowStore(redis, ttl=TTL).put("digest-1", A_LINK)
    ttl = await redis.pttl("mg:oauth-flow:digest-1")
    assert TTL.total_seconds() * 1000 - 5000 < ttl <= TTL.total_seconds() * 1000


async def test_a_redis_flow_put_by_one_process_is_taken_by_another(redis: Redis, redis_url: str) -> None:
    other_process = Redis.from_url(redis_url)
    try:
        await RedisProviderFlowStore(redis, ttl=TTL).put("digest-1", A_LINK)
        assert await RedisProviderFlowStore(other_process, ttl=TTL).take("digest-1") == A_LINK
        assert await RedisProviderFlowStore(redis, ttl=TTL).take("digest-1") is None
    finally:
        await other_process.aclose()
