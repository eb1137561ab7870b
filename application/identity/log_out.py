from __future__ import annotations

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWorkFactory, RevokedSessions
from application.identity.tokens import digest_token
from application.shared.ports import Clock


@frozen
class LogOutCommand:
    refresh_token: str


@frozen
class LogOut:
    """Revoke the session family of a refresh token, and refuse its access tokens at once.
    Unknown tokens are ignored (RFC 7009 §2.2)."""

    uow: IdentityUnitOfWorkFactory
    clock: Clock
    revoked_sessions: RevokedSessions

    async def __call__(self, command: LogOutCommand) -> None:
        async with self.uow() as uow:
            current = await uow.refresh_sessions.get_by_digest(digest_token(command.refresh_token))
            if current is None:
                return
            await uow.refresh_sessions.revoke_family(current.family_id, self.clock.now())
            # Recorded before the commit, and again on a repeated logout: no answer says the session
            # ended while its access tokens still work. If Redis is down this raises (503) and rolls back.
            await self.revoked_sessions.revoke(current.family_id)
            await uow.commit()
