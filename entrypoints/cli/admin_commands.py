"""`media-gateway grant-admin EMAIL` and `revoke-admin EMAIL`: the only way to make an administrator."""

from __future__ import annotations

import sys

from application.identity.administrators import AdminChange, GrantAdminCommand, RevokeAdminCommand
from domain.identity.email import InvalidEmail
from domain.identity.errors import AccountNotFound
from entrypoints.config import Settings
from entrypoints.container import Container
from entrypoints.lifecycle import opened, prepare_servers


def _keys(count: int) -> str:
    return f"{count} API key" + ("" if count == 1 else "s")


def describe(change: AdminChange, *, grant: bool) -> str:
    if grant:
        if change.changed:
            return f"{change.email} is now an administrator (from its next sign-in or token refresh)"
        return f"{change.email} is already an administrator; nothing changed"
    narrowed = len(change.api_keys_narrowed)
    keys = f"; admin taken off {_keys(narrowed)}" if narrowed else ""
    if change.changed:
        return f"{change.email} is no longer an administrator (from its next token refresh){keys}"
    if narrowed:
        return f"{change.email} was not an administrator{keys}"
    return f"{change.email} is not an administrator; nothing changed"


async def admin_command(settings: Settings, email: str, *, grant: bool) -> int:
    settings = await prepare_servers(settings)
    async with opened(Container(settings=settings)) as container:
        try:
            if grant:
                change = await container.identity.grant_admin()(GrantAdminCommand(email=email))
            else:
                change = await container.identity.revoke_admin()(RevokeAdminCommand(email=email))
        except (AccountNotFound, InvalidEmail) as error:
            print(f"{'grant' if grant else 'revoke'}-admin: {error.detail}", file=sys.stderr)
            return 1
    print(describe(change, grant=grant))
    return 0
