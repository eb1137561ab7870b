"""The browser-style dance over HTTP with the real provider adapters, wired as the service wires
them from the ``MG_*`` settings, against the fake GitHub and Google on loopback: our authorize
route, the provider's authorization page, our callback. The flow's own rules are owned by
test_oauth_http.py (in-memory providers); here, that the pieces fit, and that what a provider
does wrong reaches the client as a problem, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from quart.typing import TestClientProtocol as Client

from entrypoints.sign_in_config import SignInSettings
from tests.support.apps import fake_container, running
from tests.support.fake_github import FakeGitHub
from tests.support.fake_google import FakeGoogle
from tests.support.identity_provider_worlds import follow

OAUTH = "/api/v1/auth/oauth"
PUBLIC_BASE_URL = "https://gateway.example"


@pytest.fixture
async def client(tmp_path: Path, fake_github: FakeGitHub, fake_google: FakeGoogle) -> AsyncIterator[Client]:
    env = {**fake_github.settings_env(), **fake_google.settings_env(), "MG_PUBLIC_BASE_URL": PUBLIC_BASE_URL}
    world = fake_container(tmp_path, sign_in=SignInSettings.from_env(env))
    async with running(world.container) as (_, test_client):
        yield test_client


async def at_the_provider(client: Client, provider: str) -> dict[str, str]:
    """Our authorize route, then the provider's page: what the browser brings back to our callback."""
    response = await client.get(f"{OAUTH}/{provider}/authorize")
    assert response.status_code == 302, await response.get_data(as_text=True)
    back = await follow(response.headers["Location"])
    return back


async def called_back(client: Client, provider: str, query: dict[str, str]) -> Any:
    return await client.get(f"{OAUTH}/{provider}/callback", query_string=query)


@pytest.mark.parametrize("provider", ["github", "google"])
async def test_a_person_signs_in_through_the_provider_and_gets_a_token_pair(client: Client, provider: str) -> None:
    back = await at_the_provider(client, provider)

    response = await called_back(client, provider, back)

    body = await response.get_json()
    assert response.status_code == 200, body
    assert body["access_token"] and body["refresh_token"]


async def test_the_provider_sends_the_browser_back_to_our_registered_callback(
    client: Client, fake_github: FakeGitHub
) -> None:
    await at_the_provider(client, "github")

    (authorization,) = fake_github.authorizations
    assert authorization["redirect_uri"] == f"{PUBLIC_BASE_URL}{OAUTH}/github/callback"
    assert urlsplit(authorization["redirect_uri"]).netloc == "gateway.example"


@pytest.mark.parametrize("tampering", ["aud", "nonce", "alg-none", "foreign-key"])
async def test_a_forged_id_token_is_a_problem_not_a_sign_in(
    client: Client, fake_google: FakeGoogle, tampering: Any
) -> None:
    back = await at_the_provider(client, "google")
    fake_google.tamper(tampering)

    response = await called_back(client, "google", back)

    assert 400 <= response.status_code < 500, await response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert "access_token" not in await response.get_json()


async def test_a_replayed_code_is_a_problem(client: Client) -> None:
    back = await at_the_provider(client, "github")
    assert (await called_back(client, "github", back)).status_code == 200

    again = await called_back(client, "github", back)

    assert 400 <= again.status_code < 500
    assert again.mimetype == "application/problem+json"


@pytest.mark.parametrize("provider", ["github", "google"])
async def test_a_failing_provider_is_a_problem_of_ours_to_retry_never_a_500(
    client: Client, provider: str, fake_github: FakeGitHub, fake_google: FakeGoogle
) -> None:
    back = await at_the_provider(client, provider)
    (fake_github if provider == "github" else fake_google).fail(503)

    response = await called_back(client, provider, back)

    assert response.status_code in (502, 503), await response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"


async def test_githubs_rate_limit_says_when_to_retry(client: Client, fake_github: FakeGitHub) -> None:
    back = await at_the_provider(client, "github")
    fake_github.rate_limit(retry_after=30, reset_in=None)

    response = await called_back(client, "github", back)

    assert response.status_code in (502, 503), await response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "30"
