"""Registration on real PostgreSQL and Redis: what only real servers can show."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from quart.typing import TestClientProtocol as Client
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.tables import security_events, users
from tests.support.apps import real_container, running

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(
    engine: AsyncEngine, redis: Redis, postgres_url: str, redis_url: str, tmp_path: Path
) -> AsyncIterator[Client]:
    async with running(real_container(tmp_path, postgres_url, redis_url)) as (_, test_client):
        yield test_client


async def test_concurrent_registrations_of_one_new_email_all_get_the_same_answer(
    client: Client, engine: AsyncEngine
) -> None:
    """The losers of the race hit the unique index, not the existence check: they must still
    answer 202, not reveal the race with a 409 or a 500."""
    body = {"email": "ana@example.com", "password": "a long passphrase for ana"}
    responses = await asyncio.gather(*(client.post("/api/v1/auth/register", json=body) for _ in range(6)))
    assert [r.status_code for r in responses] == [202] * 6
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(users))).scalar_one() == 1
        attempts = (
            select(func.count()).select_from(security_events).where(security_events.c.kind == "registration_attempted")
        )
        assert (await conn.execute(attempts)).scalar_one() == 5
    signed_in = await client.post("/api/v1/auth/login", json=body)
    assert signed_in.status_code == 200
