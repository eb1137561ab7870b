"""Helpers for HTTP tests that need a signed-in user, with or without two-factor."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
from quart.typing import TestClientProtocol as Client

from adapters.shared.manual_clock import ManualClock

PASSWORD = "a long passphrase for ana"


def from_address(ip: str | None) -> dict[str, Any]:
    """Test-client keyword arguments that send a request from client address ``ip``
    (the default test address when None)."""
    return {"scope_base": {"client": (ip, 40000)}} if ip else {}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def json_of(response: Any) -> Any:
    return await response.get_json()


async def register_and_sign_in(client: Client, email: str = "ana@example.com") -> dict[str, Any]:
    registered = await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert registered.status_code == 202, await registered.get_json()
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200
    return await response.get_json()  # type: ignore[no-any-return]


class Authenticator:
    """Ana's phone: computes codes from the enrolled secret at the app's (manual) time."""

    def __init__(self, secret: str, clock: ManualClock) -> None:
        self.totp = pyotp.TOTP(secret)
        self.clock = clock

    def code(self, steps_ahead: int = 0) -> str:
        return self.totp.at(self.clock.now() + timedelta(seconds=30 * steps_ahead))

    def next_code(self) -> str:
        """Move time to the next 30-second step and read the code there."""
        self.clock.advance(timedelta(seconds=30))
        return self.code()


async def enroll(client: Client, tokens: dict[str, Any], password: str = PASSWORD) -> Any:
    """Start two-factor enrollment, confirming the password as the endpoint asks."""
    return await client.post(
        "/api/v1/auth/mfa/enroll", json={"password": password}, headers=bearer(tokens["access_token"])
    )


async def create_key(client: Client, tokens: dict[str, Any], password: str = PASSWORD, **body: Any) -> Any:
    """Create an API key (read-only, named "TV app", unless told otherwise), confirming the password."""
    payload = {"name": "TV app", "scopes": ["read"], "password": password, **body}
    return await client.post("/api/v1/auth/api-keys", json=payload, headers=bearer(tokens["access_token"]))


async def enable_mfa(client: Client, clock: ManualClock, tokens: dict[str, Any]) -> tuple[Authenticator, list[str]]:
    enrolled = await enroll(client, tokens)
    assert enrolled.status_code == 201, await enrolled.get_json()
    phone = Authenticator((await enrolled.get_json())["secret"], clock)
    verified = await client.post(
        "/api/v1/auth/mfa/verify", json={"code": phone.code()}, headers=bearer(tokens["access_token"])
    )
    assert verified.status_code == 200, await verified.get_json()
    return phone, (await verified.get_json())["backup_codes"]


async def mfa_token(client: Client, email: str = "ana@example.com") -> str:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    body = await response.get_json()
    assert response.status_code == 200 and body["mfa_required"] is True, body
    return body["mfa_token"]  # type: ignore[no-any-return]


async def challenge(client: Client, token: str, code: str) -> Any:
    return await client.post("/api/v1/auth/mfa/challenge", json={"mfa_token": token, "code": code})
