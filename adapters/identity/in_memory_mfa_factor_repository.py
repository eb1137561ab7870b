from __future__ import annotations

import copy
from uuid import UUID

from adapters.identity.in_memory_identity_state import IdentityState
from domain.identity.mfa import TotpFactor


class InMemoryMfaFactorRepository:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    async def get(self, user_id: UUID, status: str) -> TotpFactor | None:
        return next(
            (copy.copy(f) for f in self._state.factors.values() if f.user_id == user_id and f.status.value == status),
            None,
        )

    async def add(self, factor: TotpFactor) -> None:
        if await self.get(factor.user_id, factor.status.value) is not None:
            raise ValueError("one factor per user and status")
        self._state.factors[factor.id] = copy.copy(factor)

    async def delete(self, factor_id: UUID) -> None:
        self._state.factors.pop(factor_id, None)

    async def save_state(self, factor: TotpFactor) -> None:
        stored = self._state.factors.get(factor.id)
        if stored is not None:
            stored.status = factor.status
            stored.confirmed_at = factor.confirmed_at
            stored.consecutive_failures = factor.consecutive_failures
            stored.locked_until = factor.locked_until

    async def advance_step(self, factor_id: UUID, step: int) -> bool:
        stored = self._state.factors.get(factor_id)
        if stored is None or (stored.last_used_step is not None and stored.last_used_step >= step):
            return False
        stored.last_used_step = step
        return True
