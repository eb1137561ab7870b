from __future__ import annotations

from uuid import UUID

from adapters.identity.in_memory_identity_state import IdentityState
from application.identity.account_ports import SecurityEventPage
from domain.identity.security_event import SecurityEvent


class InMemorySecurityEventRepository:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    async def add(self, event: SecurityEvent) -> None:
        self._state.events.append(event)

    async def list_for_user(self, user_id: UUID, limit: int, offset: int) -> SecurityEventPage:
        mine = sorted(
            (e for e in self._state.events if e.user_id == user_id),
            key=lambda e: (e.occurred_at, e.id),
            reverse=True,
        )
        return SecurityEventPage(items=tuple(mine[offset : offset + limit]), total=len(mine))
