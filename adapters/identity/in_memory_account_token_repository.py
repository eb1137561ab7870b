from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from adapters.identity.in_memory_identity_state import IdentityState
from domain.identity.account_token import AccountToken, AccountTokenPurpose


class InMemoryAccountTokenRepository:
    """Units of work run one at a time here, so finding a token already holds it as FOR UPDATE would."""

    def __init__(self, state: IdentityState) -> None:
        self._state = state

    async def add(self, token: AccountToken) -> None:
        self._state.account_tokens[token.id] = token

    async def find_for_use(self, digest: str, purpose: AccountTokenPurpose) -> AccountToken | None:
        return next(
            (t for t in self._state.account_tokens.values() if t.digest == digest and t.purpose is purpose), None
        )

    async def mark_used(self, token_id: UUID, now: datetime) -> bool:
        token = self._state.account_tokens.get(token_id)
        if token is None or token.used_at is not None or token.expires_at <= now:
            return False
        self._state.account_tokens[token_id] = attrs.evolve(token, used_at=now)
        return True

    async def invalidate_unused(self, user_id: UUID, purpose: AccountTokenPurpose) -> int:
        doomed = [
            key
            for key, t in self._state.account_tokens.items()
            if t.user_id == user_id and t.purpose is purpose and t.used_at is None
        ]
        for key in doomed:
            del self._state.account_tokens[key]
        return len(doomed)

    async def delete_expired(self, before: datetime) -> int:
        doomed = [key for key, t in self._state.account_tokens.items() if t.expires_at < before]
        for key in doomed:
            del self._state.account_tokens[key]
        return len(doomed)
