"""The HTTP API on the real adapters: PostgreSQL and Redis (embedded, or MG_TEST_* servers)."""

from __future__ import annotations

import asyncio
import logging
import math
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from quart.typing import TestClientProtocol as Client
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.tables import refresh_sessions, users
from domain.playback.progress import ProgressUpdate
from tests.support.apps import real_container, running
from tests.support.catalog_fixtures import small_catalog

pytestmark = pytest.mark.integration
PASSWORD = "a long passphrase for ana"


@pytest.fixture
async def client(
    engine: AsyncEngine, redis: Redis, postgres_url: str, redis_url: str, tmp_path: Path
) -> AsyncIterator[Client]:
    container = real_container(tmp_path, postgres_url, redis_url)
    async with running(container) as (_, test_client):
        await container.catalog.import_catalog()(small_catalog())
        yield test_client


async def sign_in(client: Client) -> dict[str, str]:
    registered = await client.post("/api/v1/auth/register", json={"email": "ana@example.com", "password": PASSWORD})
    assert registered.status_code == 202
    response = await client.post("/api/v1/auth/login", json={"email": "ana@example.com", "password": PASSWORD})
    assert response.status_code == 200
    return await response.get_json()  # type: ignore[no-any-return]


async def test_register_sign_in_and_read_the_profile(client: Client) -> None:
    tokens = await sign_in(client)
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200 and (await me.get_json())["email"] == "ana@example.com"


async def test_only_digests_and_argon2_hashes_reach_the_database(client: Client, engine: AsyncEngine) -> None:
    tokens = await sign_in(client)
    async with engine.connect() as conn:
        user = (await conn.execute(select(users))).mappings().one()
        session = (await conn.execute(select(refresh_sessions))).mappings().one()
    assert user["password_hash"].startswith("$argon2id$") and PASSWORD not in user["password_hash"]
    assert session["token_digest"] != tokens["refresh_token"] and len(session["token_digest"]) == 64


async def test_eight_concurrent_refreshes_get_one_successor_and_a_later_reuse_revokes_the_family(
    client: Client,
) -> None:
    tokens = await sign_in(client)
    responses = await asyncio.gather(
        *(client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}) for _ in range(8))
    )
    assert [r.status_code for r in responses] == [200] * 8
    (successor,) = {(await r.get_json())["refresh_token"] for r in responses}
    onward = await client.post("/api/v1/auth/refresh", json={"refresh_token": successor})
    assert onward.status_code == 200
    latest = await onward.get_json()
    # The successor has been used on: the original presented again is a leak, not a retry.
    replay = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert replay.status_code == 401
    after = await client.post("/api/v1/auth/refresh", json={"refresh_token": latest["refresh_token"]})
    assert after.status_code == 401
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {latest['access_token']}"})
    assert me.status_code == 401


async def test_failed_logins_are_counted_in_redis(client: Client, redis: Redis) -> None:
    await sign_in(client)
    for _ in range(10):
        wrong = await client.post("/api/v1/auth/login", json={"email": "ana@example.com", "password": "wrong guess!"})
        assert wrong.status_code == 401
    blocked = await client.post("/api/v1/auth/login", json={"email": "ana@example.com", "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    keys = [key async for key in redis.scan_iter(match="mg:login-failures:*")]
    assert keys and not any(b"ana@example.com" in key for key in keys)


async def test_search_ranks_filters_and_tolerates_typos_on_postgres(client: Client) -> None:
    response = await client.get("/api/v1/search", query_string={"q": "matrx"})
    assert (await response.get_json())["items"][0]["title"] == "The Matrix"
    filtered = await client.get("/api/v1/search", query_string={"q": "dune", "platform": "netflix"})
    assert [i["title"] for i in (await filtered.get_json())["items"]] == ["Dune"]


async def test_ready_reports_both_dependencies(client: Client) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert (await response.get_json())["checks"] == {"postgres": "ok", "redis": "ok"}


async def test_no_password_or_token_reaches_the_logs(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    tokens = await sign_in(client)
    await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    await client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "/api/v1/auth/login" in logged  # the access log did run
    for secret in (PASSWORD, tokens["refresh_token"], tokens["access_token"]):
        assert secret not in logged


async def test_a_position_poisoned_before_the_fix_answers_no_500(
    engine: AsyncEngine, redis: Redis, postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    container = real_container(tmp_path, postgres_url, redis_url)
    async with running(container) as (_, client):
        await container.catalog.import_catalog()(small_catalog())
        dune, part_two = small_catalog()[:2]
        headers = {"Authorization": f"Bearer {(await sign_in(client))['access_token']}"}
        user_id = uuid.UUID((await (await client.get("/api/v1/me", headers=headers)).get_json())["user_id"])
        body = {"content_id": str(dune.id), "position_seconds": 600, "device_id": "tv", "session_id": "tv-1"}
        assert (
            await client.post("/api/v1/playback/progress", json={**body, "sequence": 1}, headers=headers)
        ).status_code == 200
        # What `"position_seconds": "NaN"` stored before it was refused: a `null` position.
        poison = ProgressUpdate(user_id, part_two.id, math.nan, math.inf, "tv", "tv-1", 5)
        await container.playback_adapters.progress_store().record(poison, completed=True, now=datetime.now(UTC))

        resume = await client.get(f"/api/v1/playback/progress/{part_two.id}", headers=headers)
        assert resume.status_code == 404  # nothing usable recorded: start from the beginning
        listed = await client.get("/api/v1/playback/continue-watching", headers=headers)
        assert listed.status_code == 200 and [i["title"] for i in (await listed.get_json())["items"]] == ["Dune"]
        late = {**body, "content_id": str(part_two.id), "position_seconds": 900, "sequence": 4}
        replaced = await client.post("/api/v1/playback/progress", json=late, headers=headers)
        assert replaced.status_code == 200 and (await replaced.get_json())["position_seconds"] == 900
