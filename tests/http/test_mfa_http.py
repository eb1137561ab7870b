"""What is about HTTP in two-factor authentication: which routes check a factor, and what a
malformed request gets. The product behaviour is features/identity/mfa.feature; edge cases are
tests/use_cases/test_two_factor_use_cases.py."""

from __future__ import annotations

from datetime import timedelta

from quart.typing import TestClientProtocol as Client

from tests.support.accounts import PASSWORD, bearer, challenge, enable_mfa, enroll, mfa_token, register_and_sign_in
from tests.support.apps import FakeWorld

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


async def test_enrolling_without_the_password_is_a_422_problem(client: Client, world: FakeWorld) -> None:
    tokens = await register_and_sign_in(client)
    missing = await client.post("/api/v1/auth/mfa/enroll", headers=bearer(tokens["access_token"]))
    assert missing.status_code == 422 and missing.content_type == "application/problem+json"
    assert world.identity.state.factors == {}
