from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from adapters.identity.in_memory_identity_state import IdentityState
from domain.identity.api_key import ApiKey


class InMemoryApiKeyRepository:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    async def add(self, key: ApiKey) -> None:
        self._state.api_keys[key.id] = key

    async def get_by_digest(self, digest: str) -> ApiKey | None:
        return next((k for k in self._state.api_keys.values() if k.digest == digest), None)

    async def get(self, key_id: UUID) -> ApiKey | None:
        return self._state.api_keys.get(key_id)

    async def list_for_user(self, user_id: UUID) -> list[ApiKey]:
        mine = [k for k in self._state.api_keys.values() if k.user_id == user_id]
        mine.sort(key=lambda k: k.id)  # ties newest-first by id ascending, as the Postgres query orders them
        return sorted(mine, key=lambda k: k.created_at, reverse=True)

    async def revoke(self, key_id: UUID, now: datetime) -> bool:
        key = self._state.api_keys.get(key_id)
        if key is None or key.revoked_at is not None:
            return False
        self._state.api_keys[key_id] = attrs.evolve(key, revoked_at=now)
        return True

    async def record_use(self, key_id: UUID, at: datetime, ip: str | None) -> None:
        key = self._state.api_keys.get(key_id)
        if key is not None:
            self._state.api_keys[key_id] = attrs.evolve(key, last_used_at=at, last_used_ip=ip)

    async def remove_scope(self, user_id: UUID, scope: str) -> list[ApiKey]:
        mine = (k for k in self._state.api_keys.values() if k.user_id == user_id and k.revoked_at is None)
        carrying = sorted((k for k in mine if scope in k.scopes), key=lambda k: (k.created_at, k.id))
        for key in carrying:
            self._state.api_keys[key.id] = attrs.evolve(key, scopes=key.scopes - {scope})
        return carrying
