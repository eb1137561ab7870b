"""The TV sign-in on real PostgreSQL and Redis: what only real servers can show — the token pair
handed out once to concurrent polls, the TV's family in PostgreSQL, its revocation reaching Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from quart.typing import TestClientProtocol as Client
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.tables import refresh_sessions
from tests.support.accounts import bearer, register_and_sign_in
from tests.support.apps import real_container, running

pytestmark = pytest.mark.integration

TOKEN = "/api/v1/auth/device/token"


@pytest.fixture
async def client(
    engine: AsyncEngine, redis: Redis, postgres_url: str, redis_url: str, tmp_path: Path
) -> AsyncIterator[Client]:
    async with running(real_container(tmp_path, postgres_url, redis_url)) as (_, test_client):
        yield test_client


async def started_and_approved(client: Client, phone: dict[str, Any]) -> dict[str, Any]:
    started = await (await client.post("/api/v1/auth/device", json={"client_name": "Living room TV"})).get_json()
    polled = await client.post(TOKEN, json={"device_code": started["device_code"]})
    assert (await polled.get_json())["error"] == "authorization_pending"
    too_soon = await client.post(TOKEN, json={"device_code": started["device_code"]})
    assert (await too_soon.get_json())["error"] == "slow_down"
    approved = await client.post(
        "/api/v1/auth/device/approve",
        json={"user_code": started["user_code"].lower()},
        headers=bearer(phone["access_token"]),
    )
    assert approved.status_code == 200, await approved.get_json()
    return started  # type: ignore[no-any-return]


async def test_concurrent_polls_of_an_approved_code_get_one_token_pair_and_one_session(
    client: Client, engine: AsyncEngine
) -> None:
    phone = await register_and_sign_in(client)
    started = await started_and_approved(client, phone)
    polls = await asyncio.gather(*(client.post(TOKEN, json={"device_code": started["device_code"]}) for _ in range(6)))
    statuses = sorted(response.status_code for response in polls)
    assert statuses == [200] + [400] * 5
    for response in polls:
        if response.status_code == 400:
            assert (await response.get_json())["error"] == "invalid_grant"
    async with engine.connect() as conn:
        names = (await conn.execute(select(refresh_sessions.c.client_name))).scalars().all()
    assert sorted(names, key=str) == sorted([None, "Living room TV"], key=str)


async def test_the_tv_signed_out_from_the_phone_is_refused_at_once_and_keeps_its_name_through_refresh(
    client: Client,
) -> None:
    phone = await register_and_sign_in(client)
    started = await started_and_approved(client, phone)
    tv = await (await client.post(TOKEN, json={"device_code": started["device_code"]})).get_json()
    tv = await (await client.post("/api/v1/auth/refresh", json={"refresh_token": tv["refresh_token"]})).get_json()
    listed = await (await client.get("/api/v1/me/sessions", headers=bearer(phone["access_token"]))).get_json()
    (on_tv,) = [item for item in listed["items"] if item["client_name"] == "Living room TV"]
    assert (await client.get("/api/v1/me", headers=bearer(tv["access_token"]))).status_code == 200
    revoked = await client.delete(f"/api/v1/me/sessions/{on_tv['id']}", headers=bearer(phone["access_token"]))
    assert revoked.status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer(tv["access_token"]))).status_code == 401
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": tv["refresh_token"]})
    assert refreshed.status_code == 401
    assert (await client.get("/api/v1/me", headers=bearer(phone["access_token"]))).status_code == 200
