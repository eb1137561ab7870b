from __future__ import annotations

from datetime import timedelta

from attrs import frozen

from application.identity.ports import IdentityUnitOfWorkFactory
from application.shared.ports import Clock

# Expired sessions are kept a while so a late reuse of a stolen token can still be recognised.
RETENTION = timedelta(days=7)


@frozen
class PurgeExpiredSessions:
    uow: IdentityUnitOfWorkFactory
    clock: Clock

    async def __call__(self) -> int:
        async with self.uow() as uow:
            deleted = await uow.refresh_sessions.delete_expired(self.clock.now() - RETENTION)
            await uow.commit()
        return deleted
