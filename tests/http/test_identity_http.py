from __future__ import annotations

import asyncio
import base64
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
from dependency_injector import providers
from quart.typing import TestClientProtocol as Client
from redis.asyncio import Redis

from adapters.identity.redis_revoked_sessions import RedisRevokedSessions
from tests.support.accounts import from_address
from tests.support.apps import FakeWorld, fake_container, running

PASSWORD = "correct horse battery"


async def register(client: Client, email: str = "ana@example.com", **extra: Any) -> Any:
    return await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, **extra})


async def login(client: Client, email: str = "ana@example.com", password: str = PASSWORD) -> Any:
    return await client.post("/api/v1/auth/login", json={"email": email, "password": password})


async def signed_in(client: Client) -> dict[str, Any]:
    await register(client)
    response = await login(client)
    assert response.status_code == 200
    return await response.get_json()  # type: ignore[no-any-return]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def register_from(client: Client, ip: str, email: str) -> Any:
    return await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD}, **from_address(ip))


async def test_registering_answers_202_with_the_normalised_email(client: Client) -> None:
    response = await register(client, "  Ana@Example.COM ", display_name="Ana")
    assert response.status_code == 202
    assert response.content_type == "application/json"
    body = await response.get_json()
    assert body["email"] == "ana@example.com" and body["status"] == "accepted"
    assert set(body) == {"email", "status", "detail"}  # no account id: a taken email has none to give
    assert "Location" not in response.headers


async def test_a_taken_email_gets_the_same_answer_as_a_new_one(client: Client) -> None:
    await register(client, "ana@example.com")
    taken = await register(client, "ANA@example.com")
    new = await register(client, "bruno@example.com")
    assert taken.status_code == new.status_code == 202
    assert sorted(taken.headers.keys()) == sorted(new.headers.keys())
    taken_body, new_body = await taken.get_json(), await new.get_json()
    assert taken_body == {**new_body, "email": "ana@example.com"}


async def test_registrations_over_the_per_address_limit_get_429_with_retry_after(client: Client) -> None:
    for n in range(10):
        response = await register_from(client, "198.51.100.7", f"viewer{n}@example.com")
        assert response.status_code == 202
    refused = await register_from(client, "198.51.100.7", "one-more@example.com")
    assert refused.status_code == 429
    assert refused.content_type == "application/problem+json"
    assert (await refused.get_json())["type"] == "/problems/too-many-attempts"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert (await register_from(client, "198.51.100.8", "one-more@example.com")).status_code == 202


async def test_registrations_over_the_service_wide_limit_get_429(tmp_path: Path) -> None:
    world = fake_container(tmp_path, registrations_per_minute=3)  # type: ignore[arg-type]
    async with running(world.container) as (_, client):
        for n in range(3):
            assert (await register_from(client, f"198.51.100.{n}", f"v{n}@example.com")).status_code == 202
        refused = await register_from(client, "198.51.100.9", "v9@example.com")
        assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 60
        world.clock.advance(timedelta(seconds=61))
        assert (await register_from(client, "198.51.100.9", "v9@example.com")).status_code == 202


async def test_weak_passwords_are_422_problems_naming_the_field(client: Client) -> None:
    for password in ["short", "password123", "x" * 129, "ana@example.com"]:
        response = await client.post("/api/v1/auth/register", json={"email": "ana@example.com", "password": password})
        assert response.status_code == 422, password
        body = await response.get_json()
        # Longer than the policy allows is refused by the schema already, which says so.
        assert body["type"] == ("/problems/validation-failed" if len(password) > 128 else "/problems/weak-password")
        assert body["errors"][0]["field"] == "password"


async def test_long_passphrases_and_unicode_are_accepted(client: Client) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": "zoe@example.com", "password": "ünïcødé pässphrase " * 3},
    )
    assert response.status_code == 202


async def test_login_returns_a_bearer_pair_and_me_returns_the_profile(client: Client) -> None:
    await register(client, display_name="Ana Lima")
    response = await login(client)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    tokens = await response.get_json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 900
    me = await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200
    profile = await me.get_json()
    assert profile["email"] == "ana@example.com" and profile["display_name"] == "Ana Lima"
    assert profile["scopes"] == ["read", "write"]


async def test_access_tokens_are_eddsa_jwts_verifiable_with_the_published_jwks(
    client: Client,
) -> None:
    tokens = await signed_in(client)
    keys = (await (await client.get("/.well-known/jwks.json")).get_json())["keys"]
    header = jwt.get_unverified_header(tokens["access_token"])
    assert header["alg"] == "EdDSA"
    key = next(k for k in keys if k["kid"] == header["kid"])
    public_key = jwt.PyJWK(key).key
    claims = jwt.decode(tokens["access_token"], public_key, algorithms=["EdDSA"], options={"verify_exp": False})
    assert {"sub", "iat", "exp", "jti", "scope", "auth_time"} <= set(claims)
    assert claims["exp"] - claims["iat"] == 900
    assert "d" not in key  # the private part is never published


async def test_wrong_password_and_unknown_email_get_the_same_401(client: Client) -> None:
    await register(client)
    wrong = await login(client, password="not the password")
    unknown = await login(client, email="nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    wrong_body, unknown_body = await wrong.get_json(), await unknown.get_json()
    wrong_body.pop("instance"), unknown_body.pop("instance")
    assert wrong_body == unknown_body


async def test_repeated_failed_logins_are_throttled_with_retry_after(client: Client, world: FakeWorld) -> None:
    await register(client)
    for _ in range(10):
        assert (await login(client, password="guessing-wrong")).status_code == 401
    blocked = await login(client)  # even the right password waits out the window
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 900
    world.clock.advance(timedelta(seconds=901))
    assert (await login(client)).status_code == 200


async def test_a_missing_expired_or_forged_token_is_401(client: Client, world: FakeWorld) -> None:
    tokens = await signed_in(client)
    assert (await client.get("/api/v1/me")).status_code == 401
    header, payload, signature = tokens["access_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "00000000-0000-0000-0000-000000000000"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    forged = await client.get("/api/v1/me", headers=bearer(f"{header}.{forged_payload}.{signature}"))
    assert forged.status_code == 401
    none_alg = jwt.encode(claims, key=None, algorithm="none")
    assert (await client.get("/api/v1/me", headers=bearer(none_alg))).status_code == 401
    world.clock.advance(timedelta(minutes=16))
    expired = await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
    assert expired.status_code == 401
    assert "expired" in (await expired.get_json())["detail"]
    assert expired.headers["WWW-Authenticate"].startswith("Bearer")


async def test_refresh_rotates_and_reuse_revokes_the_whole_family(client: Client, world: FakeWorld) -> None:
    first = await signed_in(client)
    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200
    second = await rotated.get_json()
    assert second["refresh_token"] != first["refresh_token"]

    world.clock.advance(timedelta(seconds=6))  # past the reuse grace window: not a client's retry
    replay = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    # The thief replayed an old token: the legitimate newer token is revoked with it, and the
    # family's access tokens stop working at once.
    after = await client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert after.status_code == 401
    me = await client.get("/api/v1/me", headers=bearer(second["access_token"]))
    assert me.status_code == 401 and (await me.get_json())["type"] == "/problems/invalid-access-token"


async def test_eight_concurrent_refreshes_with_one_token_all_get_the_same_successor(client: Client) -> None:
    tokens = await signed_in(client)
    responses = await asyncio.gather(
        *(client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}) for _ in range(8))
    )
    assert [r.status_code for r in responses] == [200] * 8
    bodies = [await r.get_json() for r in responses]
    assert len({b["refresh_token"] for b in bodies}) == 1
    assert all(r.headers["Cache-Control"] == "no-store" for r in responses)
    for body in bodies:
        assert (await client.get("/api/v1/me", headers=bearer(body["access_token"]))).status_code == 200
    onward = await client.post("/api/v1/auth/refresh", json={"refresh_token": bodies[0]["refresh_token"]})
    assert onward.status_code == 200


async def test_logout_revokes_the_session_and_its_access_token_at_once(client: Client) -> None:
    tokens = await signed_in(client)
    assert (await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))).status_code == 200
    out = await client.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert out.status_code == 204
    again = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401
    me = await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 401 and me.headers["WWW-Authenticate"].startswith("Bearer")
    assert "session has ended" in (await me.get_json())["detail"]
    unknown = await client.post("/api/v1/auth/logout", json={"refresh_token": "never-issued"})
    assert unknown.status_code == 204


async def test_with_redis_down_access_tokens_and_logout_get_503_and_logout_is_not_half_done(tmp_path: Path) -> None:
    world = fake_container(tmp_path)
    async with running(world.container) as (_, client):
        tokens = await signed_in(client)
        unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
        world.container.identity_adapters.revoked_sessions.override(
            providers.Object(RedisRevokedSessions(unreachable, remember_for=timedelta(minutes=16)))
        )
        me = await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
        assert me.status_code == 503 and me.headers["Retry-After"]
        out = await client.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
        assert out.status_code == 503
        # Rolled back, not half done: the session is whole, so the client knows to log out again.
        refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 200
        await unreachable.aclose()


async def test_patch_me_changes_the_display_name(client: Client) -> None:
    tokens = await signed_in(client)
    response = await client.patch(
        "/api/v1/me", json={"display_name": "  Ana   Maria "}, headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 200
    assert (await response.get_json())["display_name"] == "Ana Maria"
