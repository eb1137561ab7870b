from __future__ import annotations

from datetime import timedelta

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.shared.ports import Clock

# Expired sessions are kept a while so a late reuse of a stolen token can still be recognised.
RETENTION = timedelta(days=7)


@frozen
class PurgeExpiredSessions:
    """Housekeeping: delete long-expired sessions, and wipe sealed successors kept past the reuse
    grace window (they are never opened after it; this makes sure they are not kept either), and
    delete expired account tokens (verification and reset links)."""

    uow: IdentityUnitOfWorkFactory
    clock: Clock
    reuse_grace: timedelta

    async def __call__(self) -> int:
        now = self.clock.now()
        async with self.uow() as uow:
            deleted = await uow.refresh_sessions.delete_expired(now - RETENTION)
            await uow.refresh_sessions.wipe_successors(now - self.reuse_grace)
            await uow.account_tokens.delete_expired(now)
            await uow.commit()
        return deleted
