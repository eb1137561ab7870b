"""MFA and API keys on real PostgreSQL and Redis: what only real servers can show."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from quart.typing import TestClientProtocol as Client
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.tables import mfa_factors
from tests.integration.test_service_process import CLI, call, free_port, wait_ready
from tests.support.accounts import bearer, challenge, create_key, enable_mfa, mfa_token, register_and_sign_in
from tests.support.apps import real_container, running

pytestmark = pytest.mark.integration


class RealWorld:
    def __init__(self, postgres_url: str, redis_url: str, data_dir: Path) -> None:
        self.postgres_url, self.redis_url, self.data_dir = postgres_url, redis_url, data_dir

    def container(self) -> Any:
        return real_container(self.data_dir, self.postgres_url, self.redis_url)


@pytest.fixture
def real(engine: AsyncEngine, redis: Redis, postgres_url: str, redis_url: str, tmp_path: Path) -> RealWorld:
    return RealWorld(postgres_url, redis_url, tmp_path)


@pytest.fixture
async def client(real: RealWorld) -> AsyncIterator[Client]:
    async with running(real.container()) as (_, test_client):
        yield test_client


class SystemTimeClock:
    """Adapter between the tests' Authenticator (which wants advance()) and real time."""

    def now(self) -> Any:
        from datetime import UTC, datetime

        return datetime.now(UTC)

    def advance(self, _: Any) -> None:  # real time cannot be moved; the tests do not need to
        pass


async def test_a_code_used_before_a_restart_is_still_refused_after_it(real: RealWorld, engine: AsyncEngine) -> None:
    async with running(real.container()) as (_, client):
        tokens = await register_and_sign_in(client)
        phone, _ = await enable_mfa(client, SystemTimeClock(), tokens)  # type: ignore[arg-type]
        used = phone.code(steps_ahead=1)
        assert (await challenge(client, await mfa_token(client), used)).status_code == 200
    # A new container and app: nothing survives in memory, only what Postgres holds.
    async with running(real.container()) as (_, restarted):
        replay = await challenge(restarted, await mfa_token(restarted), used)
        assert replay.status_code == 401
    async with engine.connect() as conn:
        row = (await conn.execute(select(mfa_factors))).mappings().one()
    assert row["last_used_step"] is not None and phone.totp.secret.encode() not in row["sealed_secret"]


async def test_concurrent_submissions_of_one_code_on_postgres_let_one_through(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    phone, _ = await enable_mfa(client, SystemTimeClock(), tokens)  # type: ignore[arg-type]
    # The enrollment consumed the current step; the next step's code is inside the ±1 window.
    code = phone.code(steps_ahead=1)
    tokens_for_race = [await mfa_token(client) for _ in range(4)]
    results = await asyncio.gather(*(challenge(client, t, code) for t in tokens_for_race))
    assert sorted(r.status_code for r in results) == [200, 401, 401, 401]


async def test_the_attempt_guard_is_shared_through_redis_by_two_app_instances(real: RealWorld) -> None:
    async with running(real.container()) as (_, first), running(real.container()) as (_, second):
        tokens = await register_and_sign_in(first)
        await enable_mfa(first, SystemTimeClock(), tokens)  # type: ignore[arg-type]
        token = await mfa_token(first)
        statuses = []
        for n in range(7):
            app = first if n % 2 else second
            statuses.append((await challenge(app, token, "000000")).status_code)
        # the successful verify was given back: five failures this minute, counted across both
        assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]


async def test_a_revoked_key_stops_working_at_once_in_another_process(
    real: RealWorld, client: Client, tmp_path: Path
) -> None:
    tokens = await register_and_sign_in(client)
    created = await create_key(client, tokens, name="script")
    key = await created.get_json()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MG_")}
    env.update(
        MG_DATA_DIR=str(tmp_path / "other"),
        MG_DATABASE_URL=real.postgres_url,
        MG_REDIS_URL=real.redis_url,
        MG_LOG_LEVEL="WARNING",
    )
    port = free_port()
    process = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env)  # noqa: ASYNC220
    try:
        base = f"http://127.0.0.1:{port}"
        await asyncio.to_thread(wait_ready, base, process)

        def read_profile() -> int:
            return int(call(base, "GET", "/api/v1/me", token=key["key"])[0])

        assert await asyncio.to_thread(read_profile) == 200
        revoked = await client.delete(f"/api/v1/auth/api-keys/{key['id']}", headers=bearer(tokens["access_token"]))
        assert revoked.status_code == 204
        assert await asyncio.to_thread(read_profile) == 401
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


async def test_a_logged_out_access_token_is_refused_at_once_by_another_app_instance(real: RealWorld) -> None:
    async with running(real.container()) as (_, first), running(real.container()) as (_, second):
        tokens = await register_and_sign_in(first)
        headers = bearer(tokens["access_token"])
        assert (await second.get("/api/v1/me", headers=headers)).status_code == 200  # verified and remembered there
        out = await first.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
        assert out.status_code == 204
        assert (await second.get("/api/v1/me", headers=headers)).status_code == 401
        assert (await first.get("/api/v1/me", headers=headers)).status_code == 401
