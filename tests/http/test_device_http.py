"""What is about HTTP in the TV sign-in (RFC 8628) and the sessions list: the shapes of the
answers, the RFC's `error` member on refused polls, status codes, validation, headers. The product
behaviour is features/identity/tv_sign_in.feature; edge cases are
tests/use_cases/test_device_sign_in_use_cases.py."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from quart.typing import TestClientProtocol as Client

from entrypoints.sign_in_config import SignInSettings
from tests.support.accounts import bearer, create_key, from_address, register_and_sign_in
from tests.support.apps import FakeWorld, fake_container, running

TOKEN = "/api/v1/auth/device/token"


async def start(client: Client, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/auth/device", json=body)
    assert response.status_code == 200, await response.get_json()
    return await response.get_json()  # type: ignore[no-any-return]


async def approve(client: Client, tokens: dict[str, Any], user_code: str, **kwargs: Any) -> Any:
    return await client.post(
        "/api/v1/auth/device/approve", json={"user_code": user_code}, headers=bearer(tokens["access_token"]), **kwargs
    )


async def test_starting_answers_the_rfc_8628_fields(client: Client) -> None:
    started = await start(client, client_name="Living room TV")
    assert set(started) == {
        "device_code",
        "user_code",
        "verification_uri",
        "verification_uri_complete",
        "expires_in",
        "interval",
    }
    assert re.fullmatch(r"[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}", started["user_code"])
    assert started["verification_uri"] == "http://127.0.0.1:8080/device"
    assert started["verification_uri_complete"] == f"http://127.0.0.1:8080/device?user_code={started['user_code']}"
    assert (started["expires_in"], started["interval"]) == (900, 5)
    assert len(started["device_code"]) >= 43


async def test_the_verification_uri_follows_the_public_base_url(tmp_path: Path) -> None:
    world = fake_container(tmp_path, sign_in=SignInSettings(public_base_url="https://tv.example.com/"))
    async with running(world.container) as (_, client):
        started = await start(client)
    assert started["verification_uri"] == "https://tv.example.com/device"


async def test_too_many_sign_ins_started_from_one_address_is_429_with_retry_after(client: Client) -> None:
    for _ in range(30):
        assert (await client.post("/api/v1/auth/device", json={}, **from_address("198.51.100.9"))).status_code == 200
    limited = await client.post("/api/v1/auth/device", json={}, **from_address("198.51.100.9"))
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 900
    assert (await client.post("/api/v1/auth/device", json={}, **from_address("203.0.113.1"))).status_code == 200


async def test_the_start_answer_is_not_cached(client: Client) -> None:
    response = await client.post("/api/v1/auth/device", json={})
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "body",
    [{"client_name": "x" * 201}, {"client_name": 3}, {"unknown": "field"}, []],
)
async def test_a_malformed_start_is_a_422_problem(client: Client, body: Any) -> None:
    response = await client.post("/api/v1/auth/device", json=body)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"


async def test_an_invisible_character_in_the_client_name_is_a_422_naming_the_field(client: Client) -> None:
    response = await client.post("/api/v1/auth/device", json={"client_name": "TV\u202e"})
    assert response.status_code == 422
    assert (await response.get_json())["errors"][0]["field"] == "client_name"


async def test_a_pending_poll_is_a_400_problem_carrying_the_oauth_error(client: Client) -> None:
    started = await start(client)
    response = await client.post(TOKEN, json={"device_code": started["device_code"]})
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert response.headers["Cache-Control"] == "no-store"
    body = await response.get_json()
    assert body["error"] == "authorization_pending"
    assert body["type"] == "/problems/device-authorization-pending"
    assert body["error_description"] == body["detail"]


async def test_polling_too_fast_is_slow_down_with_the_new_interval(client: Client) -> None:
    started = await start(client)
    await client.post(TOKEN, json={"device_code": started["device_code"]})
    body = await (await client.post(TOKEN, json={"device_code": started["device_code"]})).get_json()
    assert (body["error"], body["interval"]) == ("slow_down", 10)


async def test_an_unknown_device_code_is_invalid_grant(client: Client) -> None:
    response = await client.post(TOKEN, json={"device_code": "not-a-code"})
    assert response.status_code == 400
    assert (await response.get_json())["error"] == "invalid_grant"


async def test_the_device_grant_type_is_accepted_and_another_refused(client: Client) -> None:
    started = await start(client)
    grant = "urn:ietf:params:oauth:grant-type:device_code"
    accepted = await client.post(TOKEN, json={"device_code": started["device_code"], "grant_type": grant})
    assert (await accepted.get_json())["error"] == "authorization_pending"
    refused = await client.post(TOKEN, json={"device_code": started["device_code"], "grant_type": "password"})
    assert refused.status_code == 422


@pytest.mark.parametrize("body", [{}, {"device_code": ""}, {"device_code": "x" * 513}, {"device_code": 5}])
async def test_a_malformed_poll_is_a_422(client: Client, body: Any) -> None:
    assert (await client.post(TOKEN, json=body)).status_code == 422


async def test_an_approved_code_gives_the_token_pair_once_uncached(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    started = await start(client, client_name="Living room TV")
    approved = await approve(client, tokens, started["user_code"].lower().replace("-", " "))
    assert approved.status_code == 200
    assert await approved.get_json() == {"client_name": "Living room TV"}
    world.clock.advance(timedelta(seconds=5))
    response = await client.post(TOKEN, json={"device_code": started["device_code"]})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    pair = await response.get_json()
    assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in", "refresh_expires_in"}
    assert (await client.get("/api/v1/me", headers=bearer(pair["access_token"]))).status_code == 200
    world.clock.advance(timedelta(seconds=5))
    again = await client.post(TOKEN, json={"device_code": started["device_code"]})
    assert (await again.get_json())["error"] == "invalid_grant"


async def test_approving_needs_a_signed_in_session(client: Client) -> None:
    started = await start(client)
    anonymous = await client.post("/api/v1/auth/device/approve", json={"user_code": started["user_code"]})
    assert anonymous.status_code == 401
    tokens = await register_and_sign_in(client)
    key = (await (await create_key(client, tokens, scopes=["write"])).get_json())["key"]
    with_key = await client.post(
        "/api/v1/auth/device/approve", json={"user_code": started["user_code"]}, headers={"X-API-Key": key}
    )
    assert with_key.status_code == 403


async def test_a_wrong_code_is_a_400_and_the_same_malformed_or_unknown(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    await start(client)
    answers = []
    for code in ("BCDF-GHJK", "AAAA-AAAA", "12"):
        response = await approve(client, tokens, code)
        assert response.status_code == 400
        body = await response.get_json()
        answers.append((body["type"], body["detail"]))
    assert len(set(answers)) == 1


async def test_too_many_wrong_codes_from_one_address_is_429_with_retry_after(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    started = await start(client)
    for _ in range(10):
        assert (await approve(client, tokens, "BCDF-GHJK", **from_address("203.0.113.7"))).status_code == 400
    limited = await approve(client, tokens, started["user_code"], **from_address("203.0.113.7"))
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 900
    elsewhere = await approve(client, tokens, started["user_code"], **from_address("198.51.100.2"))
    assert elsewhere.status_code == 200


async def test_an_approved_code_cannot_be_approved_or_denied_again(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    started = await start(client)
    assert (await approve(client, tokens, started["user_code"])).status_code == 200
    again = await approve(client, tokens, started["user_code"])
    assert again.status_code == 409
    denied = await client.post(
        "/api/v1/auth/device/deny", json={"user_code": started["user_code"]}, headers=bearer(tokens["access_token"])
    )
    assert denied.status_code == 409


async def test_a_denied_code_polls_access_denied(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    started = await start(client)
    denied = await client.post(
        "/api/v1/auth/device/deny", json={"user_code": started["user_code"]}, headers=bearer(tokens["access_token"])
    )
    assert denied.status_code == 200
    body = await (await client.post(TOKEN, json={"device_code": started["device_code"]})).get_json()
    assert body["error"] == "access_denied"


async def test_an_expired_code_polls_expired_token(client: Client, world: FakeWorld) -> None:
    started = await start(client)
    world.clock.advance(timedelta(seconds=900))
    body = await (await client.post(TOKEN, json={"device_code": started["device_code"]})).get_json()
    assert body["error"] == "expired_token"


async def test_the_sessions_list_shows_the_tv_and_marks_the_current_one(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    started = await start(client, client_name="Living room TV")
    await approve(client, tokens, started["user_code"])
    world.clock.advance(timedelta(seconds=5))
    await client.post(TOKEN, json={"device_code": started["device_code"]})
    response = await client.get("/api/v1/me/sessions", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    items = (await response.get_json())["items"]
    assert [(item["client_name"], item["current"]) for item in items] == [("Living room TV", False), (None, True)]
    assert set(items[0]) == {"id", "client_name", "signed_in_at", "last_used_at", "current"}
    uuid.UUID(items[0]["id"])


async def test_revoking_a_session_is_204_and_an_unknown_or_malformed_id_404(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    headers = bearer(tokens["access_token"])
    other = await register_and_sign_in(client, "bo@example.com")
    others = await client.get("/api/v1/me/sessions", headers=bearer(other["access_token"]))
    bos_family = (await others.get_json())["items"][0]["id"]
    for family in (bos_family, str(uuid.uuid4()), "not-a-uuid"):
        response = await client.delete(f"/api/v1/me/sessions/{family}", headers=headers)
        assert response.status_code == 404
        assert (await response.get_json())["type"] == "/problems/session-not-found"
    own = (await (await client.get("/api/v1/me/sessions", headers=headers)).get_json())["items"][0]["id"]
    assert (await client.delete(f"/api/v1/me/sessions/{own}", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_the_sessions_list_needs_a_session_not_an_api_key(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    key = (await (await create_key(client, tokens, scopes=["write"])).get_json())["key"]
    assert (await client.get("/api/v1/me/sessions", headers={"X-API-Key": key})).status_code == 403
    assert (await client.get("/api/v1/me/sessions")).status_code == 401
