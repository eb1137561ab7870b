from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from adapters.identity.in_memory_identity_state import IdentityState
from domain.identity.mfa import BackupCode


class InMemoryBackupCodeRepository:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    async def replace_all(self, user_id: UUID, codes: list[BackupCode]) -> None:
        await self.delete_all(user_id)
        self._state.backup_codes.update({code.id: code for code in codes})

    async def unused(self, user_id: UUID) -> list[BackupCode]:
        return [c for c in self._state.backup_codes.values() if c.user_id == user_id and c.used_at is None]

    async def consume(self, code_id: UUID, now: datetime) -> bool:
        code = self._state.backup_codes.get(code_id)
        if code is None or code.used_at is not None:
            return False
        self._state.backup_codes[code_id] = attrs.evolve(code, used_at=now)
        return True

    async def delete_all(self, user_id: UUID) -> None:
        for key in [k for k, c in self._state.backup_codes.items() if c.user_id == user_id]:
            del self._state.backup_codes[key]
