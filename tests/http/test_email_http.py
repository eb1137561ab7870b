"""What is about HTTP in verified email and password reset: status codes, bodies, headers,
validation and problems. The product behaviour is features/identity/email_and_password.feature;
edge cases are tests/use_cases/test_email_verification_use_cases.py and
test_password_reset_use_cases.py."""

from __future__ import annotations

from typing import Any

import pytest
from quart.typing import TestClientProtocol as Client

from tests.support.accounts import PASSWORD, bearer, from_address, register_and_sign_in
from tests.support.apps import FakeWorld
from tests.support.mailbox import token_in

ANA = "ana@example.com"
NEW_PASSWORD = "a brand new passphrase"
PROBLEM = "application/problem+json"


def last_token(world: FakeWorld, page: str) -> str:
    return token_in(world.identity.state.outgoing_mail[-1], page)


async def verify(client: Client, token: Any) -> Any:
    return await client.post("/api/v1/auth/verify-email", json={"token": token})


async def forgot(client: Client, email: Any = ANA, ip: str | None = None) -> Any:
    return await client.post("/api/v1/auth/password/forgot", json={"email": email}, **from_address(ip))


async def reset(client: Client, token: Any, password: Any = NEW_PASSWORD) -> Any:
    return await client.post("/api/v1/auth/password/reset", json={"token": token, "new_password": password})


async def problem_type(response: Any) -> str:
    assert response.content_type == PROBLEM
    return (await response.get_json())["type"]  # type: ignore[no-any-return]


async def test_asking_for_a_verification_link_needs_a_sign_in(client: Client) -> None:
    response = await client.post("/api/v1/me/email/verification")
    assert response.status_code == 401 and await problem_type(response) == "/problems/invalid-access-token"


async def test_a_verification_link_is_sent_again_with_202(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    response = await client.post("/api/v1/me/email/verification", headers=bearer(tokens["access_token"]))
    assert response.status_code == 202
    assert await response.get_json() == {"email": ANA, "expires_in": 86400, "status": "sent"}
    assert len(world.identity.state.outgoing_mail) == 2  # registration's, and this one


async def test_too_many_verification_links_is_a_429_with_retry_after(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    for _ in range(5):
        sent = await client.post("/api/v1/me/email/verification", headers=bearer(tokens["access_token"]))
        assert sent.status_code == 202
    refused = await client.post("/api/v1/me/email/verification", headers=bearer(tokens["access_token"]))
    assert refused.status_code == 429 and await problem_type(refused) == "/problems/too-many-attempts"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600


async def test_verifying_answers_200_and_the_profile_shows_it(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    response = await verify(client, last_token(world, "verify-email"))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert await response.get_json() == {"email": ANA, "email_verified": True}
    profile = await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
    assert (await profile.get_json())["email_verified"] is True


async def test_a_verified_email_is_a_409_when_a_link_is_asked_for(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    await verify(client, last_token(world, "verify-email"))
    response = await client.post("/api/v1/me/email/verification", headers=bearer(tokens["access_token"]))
    assert response.status_code == 409 and await problem_type(response) == "/problems/email-already-verified"


async def test_a_used_and_an_unknown_token_are_the_same_400(client: Client, world: FakeWorld) -> None:
    await register_and_sign_in(client)
    token = last_token(world, "verify-email")
    await verify(client, token)
    used, unknown = await verify(client, token), await verify(client, "x" * 43)
    assert used.status_code == unknown.status_code == 400
    used_body, unknown_body = await used.get_json(), await unknown.get_json()
    assert used_body["type"] == unknown_body["type"] == "/problems/invalid-account-token"
    assert used_body["detail"] == unknown_body["detail"]


@pytest.mark.parametrize(
    "body",
    [{}, {"token": ""}, {"token": 42}, {"token": "t" * 257}, {"token": "t", "email": ANA}],
    ids=["missing", "empty", "not-a-string", "too-long", "unknown-field"],
)
async def test_a_malformed_verification_body_is_a_422(client: Client, body: dict[str, Any]) -> None:
    response = await client.post("/api/v1/auth/verify-email", json=body)
    assert response.status_code == 422 and await problem_type(response) == "/problems/validation-failed"


async def test_forgot_password_answers_the_same_for_an_address_with_and_without_an_account(client: Client) -> None:
    await register_and_sign_in(client)
    known, unknown = await forgot(client, ANA), await forgot(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 202
    assert await known.get_json() == await unknown.get_json()
    assert sorted(known.headers.keys()) == sorted(unknown.headers.keys())
    assert (await known.get_json())["status"] == "accepted"


async def test_forgot_password_for_a_malformed_address_is_a_422(client: Client) -> None:
    response = await forgot(client, "not an address")
    assert response.status_code == 422 and await problem_type(response) == "/problems/invalid-email"
    missing = await client.post("/api/v1/auth/password/forgot", json={})
    assert missing.status_code == 422


async def test_one_client_asking_too_often_is_a_429_with_retry_after(client: Client) -> None:
    for n in range(20):
        assert (await forgot(client, f"someone{n}@example.com", ip="203.0.113.9")).status_code == 202
    refused = await forgot(client, "another@example.com", ip="203.0.113.9")
    assert refused.status_code == 429 and await problem_type(refused) == "/problems/too-many-attempts"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert (await forgot(client, "another@example.com", ip="198.51.100.1")).status_code == 202


async def test_a_reset_answers_204_and_the_old_tokens_stop_working(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    await forgot(client)
    response = await reset(client, last_token(world, "reset-password"))
    assert response.status_code == 204 and await response.get_data() == b""
    me = await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 401
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    old = await client.post("/api/v1/auth/login", json={"email": ANA, "password": PASSWORD})
    new = await client.post("/api/v1/auth/login", json={"email": ANA, "password": NEW_PASSWORD})
    assert old.status_code == 401 and new.status_code == 200


async def test_a_weak_new_password_is_a_422_naming_the_field(client: Client, world: FakeWorld) -> None:
    await register_and_sign_in(client)
    await forgot(client)
    response = await reset(client, last_token(world, "reset-password"), "password")
    assert response.status_code == 422 and await problem_type(response) == "/problems/weak-password"
    assert (await response.get_json())["errors"][0]["field"] == "new_password"


async def test_a_reset_with_a_bad_token_is_a_400(client: Client) -> None:
    response = await reset(client, "not-a-token-we-sent")
    assert response.status_code == 400 and await problem_type(response) == "/problems/invalid-account-token"


@pytest.mark.parametrize(
    "body",
    [{"token": "t"}, {"new_password": NEW_PASSWORD}, {"token": "t", "new_password": "p" * 129}],
    ids=["no-password", "no-token", "password-too-long"],
)
async def test_a_malformed_reset_body_is_a_422(client: Client, body: dict[str, Any]) -> None:
    response = await client.post("/api/v1/auth/password/reset", json=body)
    assert response.status_code == 422 and await problem_type(response) == "/problems/validation-failed"
