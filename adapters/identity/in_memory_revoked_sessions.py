from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from application.shared.ports import Clock


class InMemoryRevokedSessions:
    """Revoked session ids in a dict, forgotten on the injected clock."""

    def __init__(self, clock: Clock, *, remember_for: timedelta) -> None:
        self._clock = clock
        self._remember_for = remember_for
        self._until: dict[UUID, datetime] = {}

    async def revoke(self, session_id: UUID) -> None:
        self._until[session_id] = self._clock.now() + self._remember_for

    async def is_revoked(self, session_id: UUID) -> bool:
        until = self._until.get(session_id)
        if until is None:
            return False
        if until <= self._clock.now():
            del self._until[session_id]
            return False
        return True
