"""TOTP enrollment, sign-in challenge, backup codes and every attack the issue lists."""

from __future__ import annotations

import asyncio
import base64
import io
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import zxingcpp
from cryptography.exceptions import InvalidTag
from PIL import Image
from quart.typing import TestClientProtocol as Client

from tests.support.accounts import (
    PASSWORD,
    Authenticator,
    bearer,
    challenge,
    enable_mfa,
    enroll,
    mfa_token,
    register_and_sign_in,
)
from tests.support.apps import FakeWorld


async def test_enrollment_gives_a_key_uri_and_a_qr_code_an_authenticator_can_scan(
    client: Client, world: FakeWorld
) -> None:
    tokens = await register_and_sign_in(client)
    response = await enroll(client, tokens)
    assert response.status_code == 201
    body = await response.get_json()
    uri = urlsplit(body["otpauth_uri"])
    params = {k: v[0] for k, v in parse_qs(uri.query).items()}
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == "/Media Gateway:ana@example.com"
    assert params["secret"] == body["secret"] and len(base64.b32decode(body["secret"])) == 20  # 160 bits
    assert params["issuer"] == "Media Gateway"
    assert params.get("algorithm", "SHA1") == "SHA1" and params.get("digits", "6") == "6"
    assert params.get("period", "30") == "30"
    assert body["qr_png"].startswith("data:image/png;base64,") and body["qr_svg"].startswith("<svg")
    # An independent decoder reads the QR code back to the same key URI.
    image = Image.open(io.BytesIO(base64.b64decode(body["qr_png"].split(",", 1)[1])))
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [body["otpauth_uri"]]
    assert body["expires_at"] == (world.clock.now() + timedelta(minutes=10)).isoformat()


async def test_the_secret_is_stored_only_encrypted_and_bound_to_its_owner(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    body = await (await enroll(client, tokens)).get_json()
    (factor,) = world.identity.state.factors.values()
    assert body["secret"].encode() not in factor.sealed_secret
    box = world.container.identity.secret_box()
    with pytest.raises(InvalidTag):
        box.open(factor.key_id, factor.sealed_secret, b"mfa-totp:someone-else")
    assert (world.container.settings().mfa_key_path.stat().st_mode & 0o777) == 0o600


async def test_verify_turns_mfa_on_and_shows_ten_backup_codes_once(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    _, codes = await enable_mfa(client, world.clock, tokens)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(c) == 11 and c[5] == "-" for c in codes)
    status = await (await client.get("/api/v1/auth/mfa", headers=bearer(tokens["access_token"]))).get_json()
    assert status["enabled"] is True and status["backup_codes_remaining"] == 10
    assert all(
        code.replace("-", "") not in h.code_hash for h in world.identity.state.backup_codes.values() for code in codes
    )


async def test_a_wrong_enrollment_code_keeps_mfa_off(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    await enroll(client, tokens)
    wrong = await client.post(
        "/api/v1/auth/mfa/verify", json={"code": "000000"}, headers=bearer(tokens["access_token"])
    )
    assert wrong.status_code == 401
    status = await (await client.get("/api/v1/auth/mfa", headers=bearer(tokens["access_token"]))).get_json()
    assert status["enabled"] is False


async def test_an_unconfirmed_enrollment_expires_after_ten_minutes(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    world.clock.advance(timedelta(seconds=1))
    body = await (await enroll(client, tokens)).get_json()
    world.clock.advance(timedelta(minutes=9))
    fresh = await (
        await client.post("/api/v1/auth/login", json={"email": "ana@example.com", "password": PASSWORD})
    ).get_json()
    world.clock.advance(timedelta(minutes=1, seconds=1))
    late = await client.post(
        "/api/v1/auth/mfa/verify",
        json={"code": Authenticator(body["secret"], world.clock).code()},
        headers=bearer(fresh["access_token"]),
    )
    assert late.status_code == 409
    assert (await late.get_json())["type"] == "/problems/no-pending-enrollment"


async def test_sign_in_asks_for_a_code_then_returns_tokens(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    phone, _ = await enable_mfa(client, world.clock, tokens)
    login = await client.post("/api/v1/auth/login", json={"email": "ana@example.com", "password": PASSWORD})
    body = await login.get_json()
    assert body["mfa_required"] is True and body["expires_in"] == 300 and "access_token" not in body
    done = await challenge(client, body["mfa_token"], phone.next_code())
    assert done.status_code == 200
    assert "access_token" in await done.get_json()
    # The mfa_token is single-use.
    again = await challenge(client, body["mfa_token"], phone.next_code())
    assert again.status_code == 401 and (await again.get_json())["type"] == "/problems/invalid-mfa-token"


async def test_the_mfa_token_expires_after_five_minutes(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    phone, _ = await enable_mfa(client, world.clock, tokens)
    token = await mfa_token(client)
    world.clock.advance(timedelta(minutes=5, seconds=1))
    assert (await challenge(client, token, phone.code())).status_code == 401


async def test_replays_are_rejected_and_recorded(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    phone, _ = await enable_mfa(client, world.clock, tokens)
    # The enrollment code itself cannot be reused to sign in.
    enrollment_code = phone.code()
    replay = await challenge(client, await mfa_token(client), enrollment_code)
    assert replay.status_code == 401
    # A code works once; the same code again is refused.
    world.clock.advance(timedelta(seconds=61))  # past the attempt guard's minute
    code = phone.code()
    assert (await challenge(client, await mfa_token(client), code)).status_code == 200
    assert (await challenge(client, await mfa_token(client), code)).status_code == 401
    # An older step (still inside the ±1 window) after a newer one is refused too.
    newer = phone.code(steps_ahead=1)
    assert (await challenge(client, await mfa_token(client), newer)).status_code == 200
    assert (await challenge(client, await mfa_token(client), phone.code())).status_code == 401
    events = await (await client.get("/api/v1/me/security-events", headers=bearer(tokens["access_token"]))).get_json()
    assert sum(e["kind"] == "mfa_replay_rejected" for e in events["items"]) == 3


async def test_concurrent_submissions_of_one_code_let_exactly_one_sign_in(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    phone, _ = await enable_mfa(client, world.clock, tokens)
    code = phone.next_code()
    mfa_tokens = [await mfa_token(client) for _ in range(4)]
    results = await asyncio.gather(*(challenge(client, t, code) for t in mfa_tokens))
    assert sorted(r.status_code for r in results) == [200, 401, 401, 401]


async def test_a_code_from_a_drifting_clock_gets_a_hint(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    phone, _ = await enable_mfa(client, world.clock, tokens)
    world.clock.advance(timedelta(seconds=30))
    ahead = await challenge(client, await mfa_token(client), phone.code(steps_ahead=3))
    assert ahead.status_code == 401 and (await ahead.get_json())["clock_drift_seconds"] == 90
    world.clock.advance(timedelta(seconds=61))
    behind = await challenge(client, await mfa_token(client), phone.code(steps_ahead=-5))
    assert (await behind.get_json())["clock_drift_seconds"] == -150
    world.clock.advance(timedelta(seconds=61))
    random = await challenge(client, await mfa_token(client), "123456")
    assert "clock_drift_seconds" not in await random.get_json()


async def test_guessing_is_limited_to_five_attempts_a_minute(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    phone, _ = await enable_mfa(client, world.clock, tokens)
    world.clock.advance(timedelta(seconds=61))
    token = await mfa_token(client)
    for _ in range(5):
        assert (await challenge(client, token, "000000")).status_code == 401
    blocked = await challenge(client, token, phone.code())
    assert blocked.status_code == 429 and 0 < int(blocked.headers["Retry-After"]) <= 60
    world.clock.advance(timedelta(seconds=61))
    assert (await challenge(client, await mfa_token(client), phone.code())).status_code == 200


async def test_parallel_guessing_is_limited_too(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    await enable_mfa(client, world.clock, tokens)
    world.clock.advance(timedelta(seconds=61))
    token = await mfa_token(client)
    results = await asyncio.gather(*(challenge(client, token, f"{n:06d}") for n in range(20)))
    assert sum(r.status_code == 401 for r in results) == 5
    assert sum(r.status_code == 429 for r in results) == 15


async def test_ten_wrong_codes_lock_the_factor_until_a_backup_code_is_used(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    phone, backup = await enable_mfa(client, world.clock, tokens)
    for _ in range(2):
        world.clock.advance(timedelta(seconds=61))
        token = await mfa_token(client)
        for _ in range(5):
            await challenge(client, token, "000000")
    world.clock.advance(timedelta(seconds=61))
    locked = await challenge(client, await mfa_token(client), phone.code())
    assert locked.status_code == 429 and (await locked.get_json())["type"] == "/problems/factor-locked"
    unlocked = await challenge(client, await mfa_token(client), backup[0].lower().replace("-", ""))
    assert unlocked.status_code == 200
    body = await unlocked.get_json()
    assert body["backup_codes_remaining"] == 9 and body.get("warning") is None
    world.clock.advance(timedelta(seconds=30))
    assert (await challenge(client, await mfa_token(client), phone.code())).status_code == 200
    kinds = [
        e["kind"]
        for e in (
            await (await client.get("/api/v1/me/security-events", headers=bearer(tokens["access_token"]))).get_json()
        )["items"]
    ]
    assert "mfa_factor_locked" in kinds and "backup_code_used" in kinds


async def test_the_lock_lifts_by_itself_after_fifteen_minutes(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    phone, _ = await enable_mfa(client, world.clock, tokens)
    for _ in range(2):
        world.clock.advance(timedelta(seconds=61))
        token = await mfa_token(client)
        for _ in range(5):
            await challenge(client, token, "000000")
    world.clock.advance(timedelta(minutes=15, seconds=1))
    assert (await challenge(client, await mfa_token(client), phone.code())).status_code == 200


async def test_a_backup_code_works_once_in_any_form_and_warns_when_few_remain(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    _, backup = await enable_mfa(client, world.clock, tokens)
    forms = [backup[9], backup[3].lower(), backup[5].replace("-", ""), f" {backup[0]} "]
    for form in forms:
        world.clock.advance(timedelta(seconds=61))
        assert (await challenge(client, await mfa_token(client), form)).status_code == 200
    world.clock.advance(timedelta(seconds=61))
    assert (await challenge(client, await mfa_token(client), backup[9])).status_code == 401
    for code in backup[1:3] + backup[4:5]:
        world.clock.advance(timedelta(seconds=61))
        last = await challenge(client, await mfa_token(client), code)
    body = await last.get_json()
    assert body["backup_codes_remaining"] == 3 and "3 backup code" in body["warning"]


async def test_two_concurrent_uses_of_one_backup_code_let_one_through(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    _, backup = await enable_mfa(client, world.clock, tokens)
    world.clock.advance(timedelta(seconds=61))
    first, second = await mfa_token(client), await mfa_token(client)
    results = await asyncio.gather(challenge(client, first, backup[2]), challenge(client, second, backup[2]))
    assert sorted(r.status_code for r in results) == [200, 401]


async def test_regenerating_backup_codes_invalidates_the_old_ones(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    phone, old = await enable_mfa(client, world.clock, tokens)
    response = await client.post(
        "/api/v1/auth/mfa/backup-codes", json={"code": phone.next_code()}, headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 200
    new = (await response.get_json())["backup_codes"]
    assert len(new) == 10 and not set(new) & set(old)
    world.clock.advance(timedelta(seconds=61))
    assert (await challenge(client, await mfa_token(client), old[0])).status_code == 401
    assert (await challenge(client, await mfa_token(client), new[0])).status_code == 200


async def test_disabling_needs_a_code_and_the_password(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    phone, _ = await enable_mfa(client, world.clock, tokens)
    headers = bearer(tokens["access_token"])
    wrong_password = await client.delete(
        "/api/v1/auth/mfa", json={"code": phone.next_code(), "password": "not it at all"}, headers=headers
    )
    assert wrong_password.status_code == 403
    assert (await wrong_password.get_json())["type"] == "/problems/invalid-password"
    # The code was not spent by the failed attempt: it still disables with the right password.
    done = await client.delete("/api/v1/auth/mfa", json={"code": phone.code(), "password": PASSWORD}, headers=headers)
    assert done.status_code == 204
    login = await client.post("/api/v1/auth/login", json={"email": "ana@example.com", "password": PASSWORD})
    assert "access_token" in await login.get_json()


async def test_changing_mfa_needs_a_recent_sign_in(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    world.clock.advance(timedelta(minutes=11))
    refreshed = await (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    ).get_json()
    response = await enroll(client, refreshed)
    assert response.status_code == 401
    assert (await response.get_json())["type"] == "/problems/reauthentication-required"


async def test_security_events_are_listed_newest_first_and_paginated(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    phone, _ = await enable_mfa(client, world.clock, tokens)
    world.clock.advance(timedelta(seconds=5))
    await client.post(
        "/api/v1/auth/mfa/backup-codes", json={"code": phone.next_code()}, headers=bearer(tokens["access_token"])
    )
    first = await (
        await client.get(
            "/api/v1/me/security-events", query_string={"page_size": 1}, headers=bearer(tokens["access_token"])
        )
    ).get_json()
    assert first["total"] == 2 and [e["kind"] for e in first["items"]] == ["backup_codes_regenerated"]
    second = await (
        await client.get(
            "/api/v1/me/security-events",
            query_string={"page_size": 1, "page": 2},
            headers=bearer(tokens["access_token"]),
        )
    ).get_json()
    assert [e["kind"] for e in second["items"]] == ["mfa_enrolled"]


FACTOR_CHECKING_ROUTES = {
    ("POST", "/api/v1/auth/mfa/challenge"),
    ("POST", "/api/v1/auth/mfa/verify"),
    ("POST", "/api/v1/auth/mfa/backup-codes"),
    ("DELETE", "/api/v1/auth/mfa"),
}
ROUTES_THAT_CHECK_NO_FACTOR = {("POST", "/api/v1/auth/mfa/enroll"), ("GET", "/api/v1/auth/mfa")}


async def test_every_route_that_checks_a_factor_goes_through_the_attempt_guard(
    client: Client, world: FakeWorld
) -> None:
    app_routes = {
        (method, rule.rule)
        for rule in client.app.url_map.iter_rules()  # type: ignore[attr-defined]
        if rule.rule.startswith("/api/v1/auth/mfa")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert app_routes == FACTOR_CHECKING_ROUTES | ROUTES_THAT_CHECK_NO_FACTOR, "classify the new route"

    tokens = await register_and_sign_in(client)
    guard = world.container.identity_adapters.factor_attempt_guard()
    headers = bearer(tokens["access_token"])
    await enroll(client, tokens)
    before = len(guard.attempts)
    wrong_enrollment = await client.post("/api/v1/auth/mfa/verify", json={"code": "000000"}, headers=headers)
    assert wrong_enrollment.status_code == 401 and len(guard.attempts) == before + 1

    await enable_mfa(client, world.clock, tokens)
    checks = {
        ("POST", "/api/v1/auth/mfa/challenge"): lambda token: challenge(client, token, "000000"),
        ("POST", "/api/v1/auth/mfa/backup-codes"): lambda _: client.post(
            "/api/v1/auth/mfa/backup-codes", json={"code": "000000"}, headers=headers
        ),
        ("DELETE", "/api/v1/auth/mfa"): lambda _: client.delete(
            "/api/v1/auth/mfa", json={"code": "000000", "password": PASSWORD}, headers=headers
        ),
    }
    assert set(checks) | {("POST", "/api/v1/auth/mfa/verify")} == FACTOR_CHECKING_ROUTES
    for route, call in checks.items():
        world.clock.advance(timedelta(seconds=61))
        token = await mfa_token(client)
        before = len(guard.attempts)
        response = await call(token)
        assert response.status_code == 401, route
        assert len(guard.attempts) == before + 1, f"{route} skipped the attempt guard"


async def test_enrolling_needs_the_current_password(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    missing = await client.post("/api/v1/auth/mfa/enroll", headers=bearer(tokens["access_token"]))
    assert missing.status_code == 422 and missing.content_type == "application/problem+json"
    wrong = await enroll(client, tokens, password="not the password")
    assert wrong.status_code == 403 and (await wrong.get_json())["type"] == "/problems/invalid-password"
    assert world.identity.state.factors == {}
    assert (await enroll(client, tokens)).status_code == 201
