"""Whether a user id is an account, in the in-memory identity store."""

from __future__ import annotations

from uuid import UUID

from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore


class InMemoryViewerDirectory:
    def __init__(self, identity: InMemoryIdentityStore) -> None:
        self._identity = identity

    async def exists(self, user_id: UUID) -> bool:
        return user_id in self._identity.state.users
