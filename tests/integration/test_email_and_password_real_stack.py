"""Verified email and password reset on real PostgreSQL and Redis, the mail delivered by the
worker's use case over SMTP to a real server on loopback: the whole way a person goes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from quart.typing import TestClientProtocol as Client
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.tables import account_tokens
from entrypoints.container import Container
from entrypoints.sign_in_config import SignInSettings
from tests.support.accounts import PASSWORD, bearer
from tests.support.apps import real_container, running
from tests.support.mailbox import token_in
from tests.support.smtp_server import LoopbackSmtpServer

pytestmark = pytest.mark.integration

ANA, NEW_PASSWORD = "ana@example.com", "a brand new passphrase"


@pytest.fixture
async def stack(
    engine: AsyncEngine,
    redis: Redis,
    postgres_url: str,
    redis_url: str,
    tmp_path: Path,
    smtp_server: LoopbackSmtpServer,
) -> AsyncIterator[tuple[Container, Client]]:
    sign_in = SignInSettings(smtp_url=smtp_server.url, public_base_url="https://watch.example")
    container = real_container(tmp_path, postgres_url, redis_url, sign_in=sign_in)
    async with running(container) as (_, client):
        yield container, client


async def deliver(container: Container) -> None:
    """What the worker does continuously: send the mail that is due."""
    send = container.identity_mail.deliver_queued_mail()
    while await send():
        pass


async def sign_in(client: Client, password: str) -> Any:
    return await client.post("/api/v1/auth/login", json={"email": ANA, "password": password})


async def test_ana_verifies_her_email_from_the_mail_the_smtp_server_received(
    stack: tuple[Container, Client], smtp_server: LoopbackSmtpServer, engine: AsyncEngine
) -> None:
    container, client = stack
    assert (await client.post("/api/v1/auth/register", json={"email": ANA, "password": PASSWORD})).status_code == 202
    await deliver(container)
    (mail,) = smtp_server.wait_for(1)
    assert mail.to == ANA and mail.subject == "Confirm your email address"
    token = token_in(mail, "verify-email")
    async with engine.connect() as conn:  # only the digest is kept
        digests = (await conn.execute(select(account_tokens.c.digest))).scalars().all()
    assert len(digests) == 1 and token not in digests[0]

    verified = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert verified.status_code == 200
    tokens = await (await sign_in(client, PASSWORD)).get_json()
    assert (await (await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))).get_json())[
        "email_verified"
    ] is True
    again = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert again.status_code == 400


async def test_ana_resets_her_password_from_the_mail_and_her_sessions_end_at_once(
    stack: tuple[Container, Client], smtp_server: LoopbackSmtpServer
) -> None:
    container, client = stack
    await client.post("/api/v1/auth/register", json={"email": ANA, "password": PASSWORD})
    phone = await (await sign_in(client, PASSWORD)).get_json()
    assert (await client.get("/api/v1/me", headers=bearer(phone["access_token"]))).status_code == 200

    assert (await client.post("/api/v1/auth/password/forgot", json={"email": ANA})).status_code == 202
    assert (await client.post("/api/v1/auth/password/forgot", json={"email": "nobody@example.com"})).status_code == 202
    await deliver(container)
    received = smtp_server.wait_for(2)
    assert [m.to for m in received] == [ANA, ANA]  # the verification, the reset; nothing to nobody@
    reset_mail = received[-1]
    assert reset_mail.subject == "Reset your password" and PASSWORD not in reset_mail.text

    body = {"token": token_in(reset_mail, "reset-password"), "new_password": NEW_PASSWORD}
    assert (await client.post("/api/v1/auth/password/reset", json=body)).status_code == 204
    # The access token is refused at once (Redis), its refresh token too (PostgreSQL).
    assert (await client.get("/api/v1/me", headers=bearer(phone["access_token"]))).status_code == 401
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]})
    assert refreshed.status_code == 401
    assert (await sign_in(client, PASSWORD)).status_code == 401
    assert (await sign_in(client, NEW_PASSWORD)).status_code == 200
    assert (await client.post("/api/v1/auth/password/reset", json=body)).status_code == 400
