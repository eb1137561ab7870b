"""In-memory MFA, API key and security event repositories, over the shared IdentityState."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

import attrs

from application.identity.account_ports import SecurityEventPage
from application.identity.mfa_ports import MfaChallenge
from domain.identity.api_key import ApiKey
from domain.identity.mfa import BackupCode, TotpFactor
from domain.identity.security_event import SecurityEvent

if TYPE_CHECKING:
    from adapters.identity.in_memory_identity_unit_of_work import IdentityState


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
