"""Provider sign-in on the real adapters (PostgreSQL and Redis) with in-memory providers: the
composition wires the identity table and the Redis stores, and only digests reach the servers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from dependency_injector import providers
from quart.typing import TestClientProtocol as Client
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.identity.in_memory_identity_provider import InMemoryIdentityProvider
from adapters.postgres.tables import external_identities, users
from application.identity.identity_provider_ports import ConfiguredProviders
from entrypoints.sign_in_config import SignInSettings
from tests.support.apps import real_container, running
from tests.support.provider_sign_in import ANA_AT_GITHUB, APP

pytestmark = pytest.mark.integration


@pytest.fixture
def github() -> InMemoryIdentityProvider:
    return InMemoryIdentityProvider("github", uses_nonce=False)


@pytest.fixture
async def client(
    engine: AsyncEngine,
    redis: Redis,
    postgres_url: str,
    redis_url: str,
    tmp_path: Path,
    github: InMemoryIdentityProvider,
) -> AsyncIterator[Client]:
    container = real_container(tmp_path, postgres_url, redis_url, sign_in=SignInSettings(oauth_redirect_uris=(APP,)))
    container.identity.identity_providers.override(providers.Object(ConfiguredProviders({"github": github})))
    async with running(container) as (_, test_client):
        yield test_client


def query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


async def test_a_first_github_sign_in_through_a_client_app_on_the_real_stack(
    client: Client, github: InMemoryIdentityProvider, engine: AsyncEngine, redis: Redis
) -> None:
    authorize = await client.get("/api/v1/auth/oauth/github/authorize", query_string={"redirect_uri": APP})
    assert authorize.status_code == 302
    state = query(authorize.headers["Location"])["state"]
    assert [key async for key in redis.scan_iter(match=f"*{state}*")] == []  # only its digest names the flow
    back = github.approve(authorize.headers["Location"], ANA_AT_GITHUB)
    callback = await client.get(
        "/api/v1/auth/oauth/github/callback", query_string={"state": back.state, "code": back.code}
    )
    assert callback.status_code == 302
    code = query(callback.headers["Location"])["code"]
    assert [key async for key in redis.scan_iter(match=f"*{code}*")] == []
    assert len([key async for key in redis.scan_iter(match="mg:login-code:*")]) == 1
    exchanged = await client.post("/api/v1/auth/oauth/exchange", json={"code": code})
    assert exchanged.status_code == 200
    tokens = await exchanged.get_json()
    assert (await client.post("/api/v1/auth/oauth/exchange", json={"code": code})).status_code == 400
    listed = await client.get("/api/v1/me/identities", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert [i["provider"] for i in (await listed.get_json())["items"]] == ["github"]
    async with engine.connect() as conn:
        account = (await conn.execute(select(users))).mappings().one()
        linked = (await conn.execute(select(external_identities))).mappings().one()
    assert account["password_hash"] is None and account["email_verified"] is True
    assert (linked["provider"], linked["subject"], linked["user_id"]) == ("github", "583231", account["id"])
    unlink = await client.delete(
        "/api/v1/me/identities/github", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert unlink.status_code == 409  # the account's only way in


async def test_a_link_from_settings_waits_in_redis_for_its_accounts_confirmation(
    client: Client, github: InMemoryIdentityProvider, engine: AsyncEngine, redis: Redis
) -> None:
    register = {"email": "ana@example.com", "password": "a long passphrase for ana"}
    assert (await client.post("/api/v1/auth/register", json=register)).status_code == 202
    tokens = await (await client.post("/api/v1/auth/login", json=register)).get_json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    started = await client.post("/api/v1/me/identities/github", headers=headers, query_string={"redirect_uri": APP})
    back = github.approve((await started.get_json())["authorization_url"], ANA_AT_GITHUB)
    callback = await client.get(
        "/api/v1/auth/oauth/github/callback", query_string={"state": back.state, "code": back.code}
    )
    assert callback.status_code == 302
    link_code = query(callback.headers["Location"])["link_code"]
    assert [key async for key in redis.scan_iter(match=f"*{link_code}*")] == []  # only its digest names it
    (key,) = [key async for key in redis.scan_iter(match="mg:login-code:*")]
    assert 595_000 < await redis.pttl(key) <= 600_000  # ten minutes to get back to the app
    async with engine.connect() as conn:
        assert (await conn.execute(select(external_identities))).mappings().all() == []
    exchanged = await client.post("/api/v1/auth/oauth/exchange", json={"code": link_code})
    assert exchanged.status_code == 400  # a link code is never a sign-in, and that spent it
    started = await client.post("/api/v1/me/identities/github", headers=headers)
    back = github.approve((await started.get_json())["authorization_url"], ANA_AT_GITHUB)
    pending = await client.get(
        "/api/v1/auth/oauth/github/callback", query_string={"state": back.state, "code": back.code}
    )
    confirm_body = {"code": (await pending.get_json())["link_code"]}
    confirmed = await client.post("/api/v1/me/identities/github/confirm", headers=headers, json=confirm_body)
    assert confirmed.status_code == 200
    async with engine.connect() as conn:
        account = (await conn.execute(select(users))).mappings().one()
        linked = (await conn.execute(select(external_identities))).mappings().one()
    assert (linked["provider"], linked["subject"], linked["user_id"]) == ("github", "583231", account["id"])
    events = await (await client.get("/api/v1/me/security-events", headers=headers)).get_json()
    assert (events["items"][0]["kind"], events["items"][0]["details"]) == (
        "identity_linked",
        {"provider": "github", "how": "settings"},
    )
