"""Making an administrator in tests, straight through the identity store (no route grants admin)."""

from __future__ import annotations

from typing import Any

from quart.typing import TestClientProtocol as Client

from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from tests.support.accounts import PASSWORD, register_and_sign_in

ADMIN_SCOPES = frozenset({"read", "write", "admin"})


async def signed_in_admin(
    client: Client, store: InMemoryIdentityStore, email: str = "ops@example.com"
) -> dict[str, Any]:
    """Register ``email``, give the account the admin scope in the store, and sign in again (scopes
    are read at sign-in): the new tokens carry ``admin``."""
    await register_and_sign_in(client, email)
    user = next(user for user in store.state.users.values() if user.email.value == email)
    user.scopes = ADMIN_SCOPES
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, await response.get_json()
    return await response.get_json()  # type: ignore[no-any-return]
