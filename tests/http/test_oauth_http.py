"""Provider sign-in and linking over HTTP, on the fake world with in-memory providers: status
codes, problems, redirects and the headers of answers that carry tokens or codes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs
import pytest
from quart.typing import TestClientProtocol as Client

from adapters.identity.in_memory_identity_provider import ProviderCallback
from application.identity.identity_provider_ports import ProviderIdentity, ProviderUnavailable
from domain.shared.errors import CircuitOpen
from tests.support.accounts import bearer, enable_mfa, register_and_sign_in
from tests.support.apps import fake_container, running
from tests.support.provider_sign_in import ANA_AT_GITHUB, ANA_AT_GOOGLE, APP, ProviderWorld, provider_world

OAUTH = "/api/v1/auth/oauth"


@pytest.fixture
def providers(tmp_path: Path) -> ProviderWorld:
    return provider_world(tmp_path)


@pytest.fixture
async def client(providers: ProviderWorld) -> AsyncIterator[Client]:
    async with running(providers.world.container) as (_, test_client):
        yield test_client


def params(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


async def authorized(
    client: Client, providers: ProviderWorld, identity: ProviderIdentity, **query: str
) -> ProviderCallback:
    response = await client.get(f"{OAUTH}/{identity.provider}/authorize", query_string=query)
    assert response.status_code == 302, await response.get_data(as_text=True)
    return providers.approve(response.headers["Location"], identity)


async def called_back(client: Client, back: ProviderCallback, provider: str = "github", **extra: str) -> Any:
    return await client.get(
        f"{OAUTH}/{provider}/callback", query_string={"state": back.state, "code": back.code, **extra}
    )


async def problem_of(response: Any, status: int, code: str) -> dict[str, Any]:
    body = await response.get_json()
    assert response.status_code == status, body
    assert response.mimetype == "application/problem+json"
    assert body["type"] == f"/problems/{code}"
    return body  # type: ignore[no-any-return]


async def test_authorize_redirects_to_the_provider_with_state_and_pkce(client: Client) -> None:
    response = await client.get(f"{OAUTH}/github/authorize")
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"
    location = response.headers["Location"]
    assert location.startswith("https://github.provider.invalid/authorize?")
    query = params(location)
    assert query["code_challenge_method"] == "S256" and query["state"] and query["code_challenge"]
    assert query["redirect_uri"] == "https://gateway.example/api/v1/auth/oauth/github/callback"


async def test_the_callback_without_a_redirect_uri_answers_the_token_pair(
    client: Client, providers: ProviderWorld
) -> None:
    response = await called_back(client, await authorized(client, providers, ANA_AT_GITHUB))
    body = await response.get_json()
    assert response.status_code == 200, body
    assert response.headers["Cache-Control"] == "no-store"
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in", "refresh_expires_in"}
    me = await client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert (await me.get_json())["email"] == "ana@example.com"
    assert (await me.get_json())["email_verified"] is True


async def test_the_callback_sends_the_client_app_a_login_code_and_never_tokens(
    client: Client, providers: ProviderWorld
) -> None:
    back = await authorized(client, providers, ANA_AT_GITHUB, redirect_uri=APP, state="app-csrf")
    response = await called_back(client, back)
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"
    location = response.headers["Location"]
    assert location.startswith(APP + "?") and set(params(location)) == {"code", "state"}
    assert params(location)["state"] == "app-csrf"
    exchanged = await client.post(f"{OAUTH}/exchange", json={"code": params(location)["code"]})
    assert exchanged.status_code == 200 and exchanged.headers["Cache-Control"] == "no-store"
    assert "access_token" in await exchanged.get_json()
    again = await client.post(f"{OAUTH}/exchange", json={"code": params(location)["code"]})
    await problem_of(again, 400, "invalid-login-code")


async def test_a_login_code_lapses_after_a_minute(client: Client, providers: ProviderWorld) -> None:
    response = await called_back(client, await authorized(client, providers, ANA_AT_GITHUB, redirect_uri=APP))
    providers.world.clock.advance(timedelta(seconds=61))
    late = await client.post(f"{OAUTH}/exchange", json={"code": params(response.headers["Location"])["code"]})
    await problem_of(late, 400, "invalid-login-code")


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": 5}, {"code": "x", "extra": 1}, {"code": "x" * 513}])
async def test_an_exchange_body_out_of_shape_is_a_422(client: Client, body: dict[str, Any]) -> None:
    await problem_of(await client.post(f"{OAUTH}/exchange", json=body), 422, "validation-failed")


async def test_an_unregistered_redirect_uri_is_refused_before_anything_is_sent_anywhere(client: Client) -> None:
    response = await client.get(f"{OAUTH}/github/authorize", query_string={"redirect_uri": "https://evil.example/"})
    await problem_of(response, 400, "invalid-redirect-uri")
    assert "Location" not in response.headers


async def test_a_query_out_of_bounds_is_an_invalid_query(client: Client) -> None:
    response = await client.get(f"{OAUTH}/github/authorize", query_string={"state": "s" * 513})
    await problem_of(response, 400, "invalid-query")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"{OAUTH}/gitlab/authorize"),
        ("get", f"{OAUTH}/gitlab/callback?state=x&code=y"),
        ("post", "/api/v1/me/identities/gitlab"),
        ("delete", "/api/v1/me/identities/gitlab"),
    ],
)
async def test_a_provider_that_is_not_configured_is_not_found_on_every_route(
    client: Client, method: str, path: str
) -> None:
    tokens = await register_and_sign_in(client)
    response = await getattr(client, method)(path, headers=bearer(tokens["access_token"]))
    await problem_of(response, 404, "provider-not-found")


async def test_with_no_provider_configured_github_is_not_found(tmp_path: Path) -> None:
    async with running(fake_container(tmp_path).container) as (_, bare):
        await problem_of(await bare.get(f"{OAUTH}/github/authorize"), 404, "provider-not-found")


@pytest.mark.parametrize("query", [{}, {"state": "forged", "code": "x"}])
async def test_a_callback_with_a_missing_or_forged_state_is_a_400(client: Client, query: dict[str, str]) -> None:
    await problem_of(await client.get(f"{OAUTH}/github/callback", query_string=query), 400, "invalid-oauth-state")


async def test_a_replayed_state_is_a_400(client: Client, providers: ProviderWorld) -> None:
    back = await authorized(client, providers, ANA_AT_GITHUB)
    assert (await called_back(client, back)).status_code == 200
    await problem_of(await called_back(client, back), 400, "invalid-oauth-state")


async def test_declining_at_the_provider_is_a_403(client: Client, providers: ProviderWorld) -> None:
    back = await authorized(client, providers, ANA_AT_GITHUB)
    response = await client.get(
        f"{OAUTH}/github/callback", query_string={"state": back.state, "error": "access_denied"}
    )
    await problem_of(response, 403, "provider-access-denied")


async def test_a_code_the_provider_refuses_is_a_400(client: Client, providers: ProviderWorld) -> None:
    back = await authorized(client, providers, ANA_AT_GITHUB)
    await problem_of(await called_back(client, attrs.evolve(back, code="made-up")), 400, "provider-refused")


async def test_a_provider_outage_is_a_502_with_its_retry_after(client: Client, providers: ProviderWorld) -> None:
    back = await authorized(client, providers, ANA_AT_GITHUB)
    providers.github.failing_with = ProviderUnavailable("GitHub rate-limited us", retry_after_seconds=42)
    response = await called_back(client, back)
    body = await problem_of(response, 502, "provider-unavailable")
    assert response.headers["Retry-After"] == "42" and body["retry_after_seconds"] == 42


async def test_an_open_breaker_is_a_503_with_retry_after(client: Client, providers: ProviderWorld) -> None:
    back = await authorized(client, providers, ANA_AT_GITHUB)
    providers.github.failing_with = CircuitOpen("GitHub is failing", breaker="github", retry_after_seconds=17)
    response = await called_back(client, back)
    await problem_of(response, 503, "dependency-unavailable")
    assert response.headers["Retry-After"] == "17"


async def test_an_email_proven_on_one_side_only_is_a_409_telling_to_link_from_settings(
    client: Client, providers: ProviderWorld
) -> None:
    await register_and_sign_in(client)  # ana@example.com, never verified
    response = await called_back(client, await authorized(client, providers, ANA_AT_GOOGLE), "google")
    body = await problem_of(response, 409, "link-from-settings")
    assert "settings" in body["detail"]


async def test_two_factor_turns_the_callback_into_the_second_step(client: Client, providers: ProviderWorld) -> None:
    tokens = await register_and_sign_in(client)
    providers.verify_email("ana@example.com")
    await enable_mfa(client, providers.world.clock, tokens)
    response = await called_back(client, await authorized(client, providers, ANA_AT_GOOGLE), "google")
    body = await response.get_json()
    assert response.status_code == 200 and body["mfa_required"] is True and "access_token" not in body


async def linking_started(client: Client, headers: dict[str, str], provider: str, **query: str) -> str:
    started = await client.post(f"/api/v1/me/identities/{provider}", headers=headers, query_string=query)
    assert started.status_code == 200 and started.headers["Cache-Control"] == "no-store"
    return (await started.get_json())["authorization_url"]  # type: ignore[no-any-return]


async def link_code_for(client: Client, providers: ProviderWorld, headers: dict[str, str]) -> str:
    """Start linking Google as ``headers``' account; Ana approves; the callback's link code."""
    back = providers.approve(await linking_started(client, headers, "google"), ANA_AT_GOOGLE)
    return (await (await called_back(client, back, "google")).get_json())["link_code"]  # type: ignore[no-any-return]


async def test_linking_listing_and_unlinking_from_settings(client: Client, providers: ProviderWorld) -> None:
    headers = bearer((await register_and_sign_in(client))["access_token"])
    back = providers.approve(await linking_started(client, headers, "google"), ANA_AT_GOOGLE)
    pending = await called_back(client, back, "google")
    body = await pending.get_json()
    assert pending.status_code == 200 and pending.headers["Cache-Control"] == "no-store"
    assert set(body) == {"link_code", "provider", "expires_in"}
    assert (body["provider"], body["expires_in"]) == ("google", 600)
    assert (await (await client.get("/api/v1/me/identities", headers=headers)).get_json())["items"] == []
    confirmed = await client.post(
        "/api/v1/me/identities/google/confirm", headers=headers, json={"code": body["link_code"]}
    )
    assert confirmed.status_code == 200 and confirmed.headers["Cache-Control"] == "no-store"
    identity = await confirmed.get_json()
    assert (identity["provider"], identity["subject"], identity["last_sign_in_at"]) == (
        "google",
        ANA_AT_GOOGLE.subject,
        None,
    )
    listed = await (await client.get("/api/v1/me/identities", headers=headers)).get_json()
    assert [(i["provider"], i["subject"], i["email_verified"]) for i in listed["items"]] == [
        ("google", ANA_AT_GOOGLE.subject, True)
    ]
    removed = await client.delete("/api/v1/me/identities/google", headers=headers)
    assert removed.status_code == 204
    await problem_of(await client.delete("/api/v1/me/identities/google", headers=headers), 404, "identity-not-linked")


async def test_a_link_started_for_a_client_app_sends_it_the_link_code(client: Client, providers: ProviderWorld) -> None:
    headers = bearer((await register_and_sign_in(client))["access_token"])
    url = await linking_started(client, headers, "github", redirect_uri=APP, state="app-2")
    response = await called_back(client, providers.approve(url, ANA_AT_GITHUB))
    assert response.status_code == 302 and response.headers["Cache-Control"] == "no-store"
    location = response.headers["Location"]
    assert location.startswith(APP + "?") and set(params(location)) == {"link_code", "state"}
    assert params(location)["state"] == "app-2"
    code = params(location)["link_code"]
    confirmed = await client.post("/api/v1/me/identities/github/confirm", headers=headers, json={"code": code})
    assert confirmed.status_code == 200


async def test_a_link_code_confirmed_by_another_account_is_one_400_for_every_wrong_code(
    client: Client, providers: ProviderWorld
) -> None:
    mallory = bearer((await register_and_sign_in(client, "mallory@example.com"))["access_token"])
    ana = bearer((await register_and_sign_in(client))["access_token"])
    code = await link_code_for(client, providers, mallory)
    refused = []
    for provider, who, wrong in (("google", ana, code), ("google", mallory, code), ("github", mallory, "made-up")):
        response = await client.post(f"/api/v1/me/identities/{provider}/confirm", headers=who, json={"code": wrong})
        refused.append((await problem_of(response, 400, "invalid-link-code"))["detail"])
    assert len(set(refused)) == 1  # the same answer whatever made the code wrong
    assert (await (await client.get("/api/v1/me/identities", headers=mallory)).get_json())["items"] == []


async def test_a_link_code_at_the_login_code_exchange_is_refused(client: Client, providers: ProviderWorld) -> None:
    headers = bearer((await register_and_sign_in(client))["access_token"])
    code = await link_code_for(client, providers, headers)
    exchanged = await client.post(f"{OAUTH}/exchange", json={"code": code})
    body = await problem_of(exchanged, 400, "invalid-login-code")
    assert "access_token" not in body


async def test_a_link_code_lapses_after_ten_minutes(client: Client, providers: ProviderWorld) -> None:
    headers = bearer((await register_and_sign_in(client))["access_token"])
    code = await link_code_for(client, providers, headers)
    providers.world.clock.advance(timedelta(minutes=10, seconds=1))
    response = await client.post("/api/v1/me/identities/google/confirm", headers=headers, json={"code": code})
    await problem_of(response, 400, "invalid-link-code")


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": 5}, {"code": "x", "extra": 1}, {"code": "x" * 513}])
async def test_a_confirm_body_out_of_shape_is_a_422(client: Client, body: dict[str, Any]) -> None:
    headers = bearer((await register_and_sign_in(client))["access_token"])
    response = await client.post("/api/v1/me/identities/google/confirm", headers=headers, json=body)
    await problem_of(response, 422, "validation-failed")


async def test_confirming_at_a_provider_that_is_not_configured_is_not_found(client: Client) -> None:
    headers = bearer((await register_and_sign_in(client))["access_token"])
    response = await client.post("/api/v1/me/identities/gitlab/confirm", headers=headers, json={"code": "x"})
    await problem_of(response, 404, "provider-not-found")


async def test_unlinking_needs_a_recent_sign_in(client: Client, providers: ProviderWorld) -> None:
    headers = bearer((await register_and_sign_in(client))["access_token"])
    code = await link_code_for(client, providers, headers)
    await client.post("/api/v1/me/identities/google/confirm", headers=headers, json={"code": code})
    providers.world.clock.advance(timedelta(minutes=11))
    response = await client.delete("/api/v1/me/identities/google", headers=headers)
    await problem_of(response, 401, "reauthentication-required")


async def test_linking_needs_a_recent_sign_in(client: Client, providers: ProviderWorld) -> None:
    headers = bearer((await register_and_sign_in(client))["access_token"])
    providers.world.clock.advance(timedelta(minutes=11))
    response = await client.post("/api/v1/me/identities/google", headers=headers)
    # the access token lives 15 minutes: still valid, but the sign-in is too old for this
    await problem_of(response, 401, "reauthentication-required")


async def test_the_last_way_to_sign_in_cannot_be_unlinked(client: Client, providers: ProviderWorld) -> None:
    tokens = await (await called_back(client, await authorized(client, providers, ANA_AT_GITHUB))).get_json()
    response = await client.delete("/api/v1/me/identities/github", headers=bearer(tokens["access_token"]))
    await problem_of(response, 409, "last-sign-in-method")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me/identities"),
        ("post", "/api/v1/me/identities/github"),
        ("post", "/api/v1/me/identities/github/confirm"),
        ("delete", "/api/v1/me/identities/github"),
    ],
)
async def test_the_settings_routes_need_a_signed_in_person(client: Client, method: str, path: str) -> None:
    body = {"json": {"code": "x"}} if path.endswith("/confirm") else {}  # a body out of shape is a 422 first
    assert (await getattr(client, method)(path, **body)).status_code == 401
