from __future__ import annotations

from datetime import datetime

import attrs

from adapters.identity.in_memory_identity_state import IdentityState
from application.identity.mfa_ports import MfaChallenge


class InMemoryMfaChallengeRepository:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    async def add(self, challenge: MfaChallenge) -> None:
        self._state.challenges[challenge.token_digest] = challenge

    async def get_live(self, token_digest: str, now: datetime) -> MfaChallenge | None:
        challenge = self._state.challenges.get(token_digest)
        if challenge is None or challenge.consumed_at is not None or challenge.expires_at <= now:
            return None
        return challenge

    async def consume(self, token_digest: str, now: datetime) -> bool:
        if await self.get_live(token_digest, now) is None:
            return False
        self._state.challenges[token_digest] = attrs.evolve(self._state.challenges[token_digest], consumed_at=now)
        return True
