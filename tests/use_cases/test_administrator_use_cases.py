"""Granting and revoking admin on the fake container: idempotence, unknown accounts, what the
security log keeps, and what happens to sessions and API keys. The product story is
features/identity/administrators.feature."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.identity.administrators import AdminChange, GrantAdminCommand, RevokeAdminCommand
from application.identity.api_keys import CreateApiKeyCommand, CreatedApiKey, RevokeApiKeyCommand
from application.identity.refresh_tokens import RefreshTokensCommand
from domain.identity.api_key import ScopeNotHeld
from domain.identity.email import InvalidEmail
from domain.identity.errors import AccountNotFound
from tests.support.accounts import PASSWORD
from tests.support.apps import FakeWorld
from tests.use_cases.viewers import Viewer, authenticate, security_log, sign_in, sign_up

ADMIN_KEY = ("admin",)


async def grant(world: FakeWorld, email: str = "ana@example.com") -> AdminChange:
    return await world.container.identity.grant_admin()(GrantAdminCommand(email=email))


async def revoke(world: FakeWorld, email: str = "ana@example.com") -> AdminChange:
    return await world.container.identity.revoke_admin()(RevokeAdminCommand(email=email))


async def refreshed_scopes(world: FakeWorld, viewer: Viewer) -> frozenset[str]:
    pair = await world.container.identity.refresh_tokens()(RefreshTokensCommand(viewer.tokens.refresh_token))
    return (await authenticate(world, pair.access_token)).principal.scopes


async def create_key(world: FakeWorld, viewer: Viewer, scopes: tuple[str, ...], name: str = "ops") -> CreatedApiKey:
    command = CreateApiKeyCommand(viewer.principal, name, list(scopes), PASSWORD)
    return await world.container.identity.create_api_key()(command)


async def key_scopes(world: FakeWorld, key: str) -> frozenset[str]:
    return (await world.container.identity.authenticate()(None, api_key_header=key)).principal.scopes


async def test_a_second_grant_says_so_and_writes_nothing(world: FakeWorld) -> None:
    ana = await sign_up(world)
    assert (await grant(world)).changed is True
    again = await grant(world)
    assert again.changed is False and again.user_id == ana.principal.user_id
    assert await security_log(world, ana) == ["admin_granted"]
    (event,) = world.identity.state.events
    assert event.details == {"via": "command line"} and event.ip is None


async def test_revoking_from_someone_who_is_not_an_administrator_writes_nothing(world: FakeWorld) -> None:
    ana = await sign_up(world)
    change = await revoke(world)
    assert (change.changed, change.api_keys_narrowed) == (False, ())
    assert await security_log(world, ana) == []


async def test_the_email_is_matched_as_sign_in_matches_it(world: FakeWorld) -> None:
    ana = await sign_up(world)
    change = await grant(world, "  Ana@Example.COM ")
    assert change.user_id == ana.principal.user_id and change.email == "ana@example.com"


async def test_an_unknown_or_malformed_email_is_refused_and_nobody_changes(world: FakeWorld) -> None:
    await sign_up(world)
    with pytest.raises(AccountNotFound, match=r"bruno@example\.com"):
        await grant(world, "bruno@example.com")
    with pytest.raises(AccountNotFound):
        await revoke(world, "bruno@example.com")
    with pytest.raises(InvalidEmail):
        await grant(world, "not an email")
    assert all("admin" not in user.scopes for user in world.identity.state.users.values())
    assert world.identity.state.events == []


async def test_admin_reaches_a_session_at_its_next_refresh_not_before(world: FakeWorld) -> None:
    ana = await sign_up(world)
    await grant(world)
    # The access token already issued keeps the scopes it was issued with.
    assert "admin" not in (await authenticate(world, ana.tokens.access_token)).principal.scopes
    assert await refreshed_scopes(world, ana) == {"read", "write", "admin"}


async def test_a_revocation_reaches_a_refresh_retried_within_the_grace_window(world: FakeWorld) -> None:
    ana = await sign_up(world)
    await grant(world)
    ana = await sign_in(world)
    refresh = world.container.identity.refresh_tokens()
    await refresh(RefreshTokensCommand(ana.tokens.refresh_token))
    await revoke(world)
    world.clock.advance(timedelta(seconds=1))
    # The retry answers with the same successor, but a fresh access token from today's scopes.
    retried = await refresh(RefreshTokensCommand(ana.tokens.refresh_token))
    assert "admin" not in (await authenticate(world, retried.access_token)).principal.scopes


async def test_revoking_admin_narrows_the_accounts_admin_keys_to_read_and_write(world: FakeWorld) -> None:
    ana = await sign_up(world)
    await grant(world)
    ana = await sign_in(world)
    ops = await create_key(world, ana, ADMIN_KEY, "ops")
    reader = await create_key(world, ana, ("read",), "reader")
    assert await key_scopes(world, ops.key) == {"admin", "write", "read"}

    world.clock.advance(timedelta(minutes=1))
    change = await revoke(world)
    assert change.changed is True and change.api_keys_narrowed == (ops.api_key.id,)
    assert await key_scopes(world, ops.key) == {"write", "read"}
    assert await key_scopes(world, reader.key) == {"read"}
    assert world.identity.state.api_keys[ops.api_key.id].scopes == {"write", "read"}  # the key list says so too
    log = await security_log(world, ana)
    assert sorted(log[:2]) == ["admin_revoked", "api_key_scope_removed"]  # both at the revocation's moment
    removed = next(e for e in world.identity.state.events if e.kind.value == "api_key_scope_removed")
    assert removed.details == {
        "api_key_id": str(ops.api_key.id),
        "name": "ops",
        "scope": "admin",
        "via": "command line",
    }
    revoked = next(e for e in world.identity.state.events if e.kind.value == "admin_revoked")
    assert revoked.details == {"via": "command line", "api_keys_narrowed": 1}


async def test_granting_admin_again_does_not_give_it_back_to_old_keys(world: FakeWorld) -> None:
    ana = await sign_up(world)
    await grant(world)
    ana = await sign_in(world)
    ops = await create_key(world, ana, ADMIN_KEY)
    await revoke(world)
    await grant(world)
    assert await key_scopes(world, ops.key) == {"write", "read"}


async def test_a_key_never_carries_more_than_its_owner_holds_now(world: FakeWorld) -> None:
    # However a key came to carry admin (here written straight into the store, as a key minted
    # while its owner's admin was being revoked could be), authentication caps it by the owner.
    ana = await sign_up(world)
    await grant(world)
    ana = await sign_in(world)
    ops = await create_key(world, ana, ADMIN_KEY)
    world.identity.state.users[ana.principal.user_id].scopes = frozenset({"read", "write"})
    assert await key_scopes(world, ops.key) == {"write", "read"}
    # Running revoke-admin again mends the key itself, though the account held admin no more.
    change = await revoke(world)
    assert change.changed is False and change.api_keys_narrowed == (ops.api_key.id,)
    assert world.identity.state.api_keys[ops.api_key.id].scopes == {"write", "read"}


async def test_after_a_revocation_an_old_session_cannot_mint_an_admin_key(world: FakeWorld) -> None:
    ana = await sign_up(world)
    await grant(world)
    ana = await sign_in(world)  # her access token carries admin until it expires
    assert "admin" in ana.principal.scopes
    await revoke(world)
    with pytest.raises(ScopeNotHeld):
        await create_key(world, ana, ADMIN_KEY)


async def test_a_revoked_key_keeps_the_scopes_it_had(world: FakeWorld) -> None:
    ana = await sign_up(world)
    await grant(world)
    ana = await sign_in(world)
    ops = await create_key(world, ana, ADMIN_KEY)
    await world.container.identity.revoke_api_key()(RevokeApiKeyCommand(ana.principal, ops.api_key.id))
    change = await revoke(world)
    assert change.api_keys_narrowed == ()
    assert world.identity.state.api_keys[ops.api_key.id].scopes == {"admin", "write", "read"}
