from __future__ import annotations

import asyncio
import zlib
from datetime import timedelta
from typing import Any

from quart.typing import TestClientProtocol as Client

from domain.identity.api_key import BASE62, is_well_formed
from tests.support.accounts import PASSWORD, bearer, create_key, register_and_sign_in
from tests.support.apps import FakeWorld


async def new_key(client: Client, tokens: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = await create_key(client, tokens, **body)
    assert response.status_code == 201, await response.get_json()
    return await response.get_json()  # type: ignore[no-any-return]


def key_headers(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


async def test_a_new_key_is_shown_once_with_a_checksummed_format(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    created = await new_key(client, tokens, scopes=["write"])
    key = created["key"]
    assert key.startswith("mg_live_") and len(key) == 8 + 43 + 6 and is_well_formed(key)
    body, checksum = key[8:-6], key[-6:]
    number = zlib.crc32(body.encode())
    digits = ""
    while number:
        number, r = divmod(number, 62)
        digits = BASE62[r] + digits
    assert checksum == digits.rjust(6, "0")
    assert created["scopes"] == ["read", "write"]  # write implies read
    assert created["rate_limit_per_minute"] == 60
    assert created["expires_at"] == (world.clock.now() + timedelta(days=90)).isoformat()
    (stored,) = world.identity.state.api_keys.values()
    assert key not in repr(stored) and len(stored.digest) == 64

    listed = await (await client.get("/api/v1/auth/api-keys", headers=bearer(tokens["access_token"]))).get_json()
    (item,) = listed["items"]
    assert item["masked_key"] == f"mg_live_{key[8:12]}…{key[-4:]}" and "key" not in item
    assert item["revoked"] is False and item["last_used_at"] is None


async def test_a_key_authenticates_by_header_or_bearer_within_its_scopes(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    read_only = (await new_key(client, tokens))["key"]
    assert (await client.get("/api/v1/me", headers=key_headers(read_only))).status_code == 200
    assert (await client.get("/api/v1/me", headers=bearer(read_only))).status_code == 200
    denied = await client.patch("/api/v1/me", json={"display_name": "X"}, headers=key_headers(read_only))
    assert denied.status_code == 403 and denied.content_type == "application/problem+json"
    writer = (await new_key(client, tokens, scopes=["write"]))["key"]
    assert (
        await client.patch("/api/v1/me", json={"display_name": "X"}, headers=key_headers(writer))
    ).status_code == 200


async def test_scopes_cannot_be_escalated(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    admin = await create_key(client, tokens, scopes=["admin"])
    assert admin.status_code == 403 and (await admin.get_json())["type"] == "/problems/scope-not-held"
    unknown = await create_key(client, tokens, scopes=["root"])
    assert unknown.status_code == 422
    none = await create_key(client, tokens, scopes=[])
    assert none.status_code == 422


async def test_api_keys_cannot_manage_keys_or_mfa(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    key = (await new_key(client, tokens, scopes=["write"]))["key"]
    headers = key_headers(key)
    attempts = [
        client.post(
            "/api/v1/auth/api-keys", json={"name": "x", "scopes": ["read"], "password": PASSWORD}, headers=headers
        ),
        client.get("/api/v1/auth/api-keys", headers=headers),
        client.post("/api/v1/auth/mfa/enroll", json={"password": PASSWORD}, headers=headers),
        client.get("/api/v1/auth/mfa", headers=headers),
    ]
    for response in await asyncio.gather(*attempts):
        assert response.status_code == 403


async def test_unknown_revoked_expired_and_malformed_keys_get_the_same_401(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    revoked = await new_key(client, tokens)
    expiring = (await new_key(client, tokens, expires_in_days=1))["key"]
    deleted = await client.delete(f"/api/v1/auth/api-keys/{revoked['id']}", headers=bearer(tokens["access_token"]))
    assert deleted.status_code == 204
    world.clock.advance(timedelta(days=1, seconds=1))
    fresh_tokens = await (
        await client.post(
            "/api/v1/auth/login", json={"email": "ana@example.com", "password": "a long passphrase for ana"}
        )
    ).get_json()
    unknown = (await new_key(client, fresh_tokens))["key"][:-10] + "0000000000"
    bodies = []
    for key in [revoked["key"], expiring, unknown, "mg_live_short", "not-a-key-at-all"]:
        response = await client.get("/api/v1/me", headers=key_headers(key))
        assert response.status_code == 401, key
        body = await response.get_json()
        body.pop("instance")
        bodies.append(body)
    assert all(body == bodies[0] for body in bodies)


async def test_keys_expire_by_default_after_90_days_and_at_most_after_365(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    assert (await create_key(client, tokens, expires_in_days=365)).status_code == 201
    too_long = await create_key(client, tokens, expires_in_days=366)
    assert too_long.status_code == 422
    assert (await too_long.get_json())["errors"][0]["field"] == "expires_in_days"


async def test_the_per_key_rate_limit_is_enforced_with_headers(client: Client, world: FakeWorld) -> None:
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
    other = (await new_key(client, tokens))["key"]
    assert (await client.get("/api/v1/me", headers=key_headers(other))).status_code == 200
    world.clock.advance(timedelta(seconds=61))
    assert (await client.get("/api/v1/me", headers=key_headers(key))).status_code == 200


async def test_last_use_is_recorded_at_most_once_a_minute(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    created = await new_key(client, tokens)
    first_use = world.clock.now()
    await client.get("/api/v1/me", headers=key_headers(created["key"]))
    world.clock.advance(timedelta(seconds=20))
    await client.get("/api/v1/me", headers=key_headers(created["key"]))
    stored = world.identity.state.api_keys[next(iter(world.identity.state.api_keys))]
    assert stored.last_used_at == first_use and stored.last_used_ip is not None
    world.clock.advance(timedelta(seconds=41))
    await client.get("/api/v1/me", headers=key_headers(created["key"]))
    stored = world.identity.state.api_keys[stored.id]
    assert stored.last_used_at == world.clock.now()


async def test_invalid_keys_from_one_address_are_throttled(client: Client) -> None:
    statuses = [
        (await client.get("/api/v1/me", headers=key_headers(f"mg_live_guess{n}"))).status_code for n in range(21)
    ]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429


async def test_a_reported_leaked_key_is_revoked_and_its_owner_told(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    key = (await new_key(client, tokens))["key"]
    world.clock.advance(timedelta(seconds=1))
    report = await client.post("/api/v1/auth/api-keys/leaked", json={"keys": [key, "mg_live_garbage", "x"]})
    assert report.status_code == 202
    assert (await client.get("/api/v1/me", headers=key_headers(key))).status_code == 401
    again = await client.post("/api/v1/auth/api-keys/leaked", json={"keys": [key]})
    assert again.status_code == 202
    events = await (await client.get("/api/v1/me/security-events", headers=bearer(tokens["access_token"]))).get_json()
    assert [e["kind"] for e in events["items"]] == ["api_key_leaked", "api_key_created"]


async def test_revoking_someone_elses_key_is_404(client: Client) -> None:
    ana = await register_and_sign_in(client)
    key = await new_key(client, ana)
    bruno = await register_and_sign_in(client, "bruno@example.com")
    response = await client.delete(f"/api/v1/auth/api-keys/{key['id']}", headers=bearer(bruno["access_token"]))
    assert response.status_code == 404
    assert (await client.get("/api/v1/me", headers=key_headers(key["key"]))).status_code == 200


async def test_creating_a_key_needs_the_current_password(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    missing = await client.post(
        "/api/v1/auth/api-keys", json={"name": "x", "scopes": ["read"]}, headers=bearer(tokens["access_token"])
    )
    assert missing.status_code == 422 and missing.content_type == "application/problem+json"
    wrong = await create_key(client, tokens, password="not the password")
    assert wrong.status_code == 403 and wrong.content_type == "application/problem+json"
    assert (await wrong.get_json())["type"] == "/problems/invalid-password"
    assert "WWW-Authenticate" not in wrong.headers  # the session is fine; only the password was wrong
    assert world.identity.state.api_keys == {}
    assert (await create_key(client, tokens)).status_code == 201
