"""Making an administrator in tests as an operator does (``GrantAdmin``, what ``media-gateway
grant-admin`` runs: no route grants admin), then signing in again, since scopes are read at sign-in."""

from __future__ import annotations

from typing import Any

from quart.typing import TestClientProtocol as Client

from application.identity.administrators import GrantAdminCommand
from entrypoints.container import Container
from tests.support.accounts import PASSWORD, register_and_sign_in


async def signed_in_admin(client: Client, container: Container, email: str = "ops@example.com") -> dict[str, Any]:
    """Register ``email``, grant it admin, sign in again: the new tokens carry ``admin``."""
    await register_and_sign_in(client, email)
    await container.identity.grant_admin()(GrantAdminCommand(email=email))
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, await response.get_json()
    return await response.get_json()  # type: ignore[no-any-return]
