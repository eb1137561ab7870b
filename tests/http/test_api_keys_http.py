"""What is about HTTP in API keys: the two ways to send one, validation, the scopes of the
management routes, the rate-limit headers. The product behaviour is features/identity/api_keys.feature;
edge cases are tests/use_cases/test_api_key_use_cases.py."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from quart.typing import TestClientProtocol as Client

from tests.support.accounts import bearer, create_key, register_and_sign_in


async def new_key(client: Client, tokens: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = await create_key(client, tokens, **body)
    assert response.status_code == 201, await response.get_json()
    return await response.get_json()  # type: ignore[no-any-return]


def key_headers(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


async def test_a_key_is_accepted_in_its_own_header_or_as_a_bearer_token(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    read_only = (await new_key(client, tokens))["key"]
    assert (await client.get("/api/v1/me", headers=key_headers(read_only))).status_code == 200
    assert (await client.get("/api/v1/me", headers=bearer(read_only))).status_code == 200
    writer = (await new_key(client, tokens, scopes=["write"]))["key"]
    changed = await client.patch("/api/v1/me", json={"display_name": "X"}, headers=key_headers(writer))
    assert changed.status_code == 200


async def test_unknown_or_no_scopes_are_422(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    assert (await create_key(client, tokens, scopes=["root"])).status_code == 422
    assert (await create_key(client, tokens, scopes=[])).status_code == 422


async def test_an_api_key_cannot_list_keys_or_read_two_factor_settings(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    headers = key_headers((await new_key(client, tokens, scopes=["write"]))["key"])
    attempts = [client.get("/api/v1/auth/api-keys", headers=headers), client.get("/api/v1/auth/mfa", headers=headers)]
    for response in await asyncio.gather(*attempts):
        assert response.status_code == 403 and response.content_type == "application/problem+json"


async def test_a_key_may_last_365_days_and_no_longer(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    assert (await create_key(client, tokens, expires_in_days=365)).status_code == 201
    too_long = await create_key(client, tokens, expires_in_days=366)
    assert too_long.status_code == 422
    assert (await too_long.get_json())["errors"][0]["field"] == "expires_in_days"


@pytest.mark.parametrize("limit", [-1, 10_001])
async def test_a_rate_limit_outside_1_to_10000_a_minute_is_422_naming_the_field(client: Client, limit: int) -> None:
    tokens = await register_and_sign_in(client)
    refused = await create_key(client, tokens, rate_limit_per_minute=limit)
    assert refused.status_code == 422 and refused.content_type == "application/problem+json"
    assert (await refused.get_json())["errors"][0]["field"] == "rate_limit_per_minute"


async def test_every_answer_to_a_key_carries_its_rate_limit_headers(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    key = (await new_key(client, tokens, rate_limit_per_minute=3))["key"]
    remaining = []
    for _ in range(3):
        response = await client.get("/api/v1/me", headers=key_headers(key))
        assert response.status_code == 200
        assert response.headers["RateLimit-Limit"] == "3"
        remaining.append(int(response.headers["RateLimit-Remaining"]))
        assert 1 <= int(response.headers["RateLimit-Reset"]) <= 60
    assert remaining == [2, 1, 0]
    over = await client.get("/api/v1/me", headers=key_headers(key))
    assert over.status_code == 429 and int(over.headers["Retry-After"]) >= 1
    assert over.headers["RateLimit-Remaining"] == "0"


async def test_creating_a_key_without_the_password_is_422_and_with_a_wrong_one_403_without_a_challenge(
    client: Client,
) -> None:
    tokens = await register_and_sign_in(client)
    missing = await client.post(
        "/api/v1/auth/api-keys", json={"name": "x", "scopes": ["read"]}, headers=bearer(tokens["access_token"])
    )
    assert missing.status_code == 422 and missing.content_type == "application/problem+json"
    wrong = await create_key(client, tokens, password="not the password")
    assert wrong.status_code == 403 and wrong.content_type == "application/problem+json"
    assert "WWW-Authenticate" not in wrong.headers  # the session is fine; only the password was wrong
