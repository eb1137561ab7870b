from __future__ import annotations

import copy
from datetime import datetime
from uuid import UUID

import attrs

from adapters.identity.in_memory_security_repositories import (
    InMemoryApiKeyRepository,
    InMemoryBackupCodeRepository,
    InMemoryMfaChallengeRepository,
    InMemoryMfaFactorRepository,
    InMemorySecurityEventRepository,
)
from adapters.shared.in_memory_unit_of_work import InMemoryStore, InMemoryUnitOfWork
from application.identity.mfa_ports import MfaChallenge
from domain.identity.api_key import ApiKey
from domain.identity.email import EmailAddress
from domain.identity.errors import EmailAlreadyRegistered
from domain.identity.mfa import BackupCode, TotpFactor
from domain.identity.refresh_session import RefreshSession, SealedToken
from domain.identity.security_event import SecurityEvent
from domain.identity.user import User


@attrs.define
class IdentityState:
    users: dict[UUID, User] = attrs.Factory(dict)
    sessions: dict[UUID, RefreshSession] = attrs.Factory(dict)
    factors: dict[UUID, TotpFactor] = attrs.Factory(dict)
    backup_codes: dict[UUID, BackupCode] = attrs.Factory(dict)
    challenges: dict[str, MfaChallenge] = attrs.Factory(dict)
    events: list[SecurityEvent] = attrs.Factory(list)
    api_keys: dict[UUID, ApiKey] = attrs.Factory(dict)


class InMemoryUserRepository:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    async def add(self, user: User) -> None:
        if any(u.email == user.email for u in self._state.users.values()):
            raise EmailAlreadyRegistered("An account with this email already exists.")
        self._state.users[user.id] = copy.copy(user)

    async def get(self, user_id: UUID) -> User | None:
        user = self._state.users.get(user_id)
        return copy.copy(user) if user else None

    async def get_by_email(self, email: EmailAddress) -> User | None:
        return next((copy.copy(u) for u in self._state.users.values() if u.email == email), None)

    async def update_display_name(self, user_id: UUID, display_name: str) -> None:
        if user_id in self._state.users:
            self._state.users[user_id].display_name = display_name


class InMemoryRefreshSessionRepository:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    async def add(self, session: RefreshSession) -> None:
        self._state.sessions[session.id] = session

    async def get_by_digest(self, token_digest: str) -> RefreshSession | None:
        return next((s for s in self._state.sessions.values() if s.token_digest == token_digest), None)

    async def mark_rotated(self, session_id: UUID, now: datetime, successor: SealedToken | None = None) -> bool:
        session = self._state.sessions.get(session_id)
        if session is None or session.was_rotated or session.is_revoked:
            return False
        self._state.sessions[session_id] = attrs.evolve(session, rotated_at=now, sealed_successor=successor)
        return True

    async def revoke_family(self, family_id: UUID, now: datetime) -> None:
        for key, session in list(self._state.sessions.items()):
            if session.family_id == family_id and not session.is_revoked:
                self._state.sessions[key] = attrs.evolve(session, revoked_at=now, sealed_successor=None)

    async def wipe_successors(self, rotated_before: datetime) -> int:
        wiped = 0
        for key, session in list(self._state.sessions.items()):
            if session.sealed_successor is not None and session.rotated_at and session.rotated_at <= rotated_before:
                self._state.sessions[key] = attrs.evolve(session, sealed_successor=None)
                wiped += 1
        return wiped

    async def delete_expired(self, before: datetime) -> int:
        expired = [k for k, s in self._state.sessions.items() if s.expires_at < before]
        for key in expired:
            del self._state.sessions[key]
        return len(expired)


class InMemoryIdentityUnitOfWork(InMemoryUnitOfWork[IdentityState]):
    users: InMemoryUserRepository
    refresh_sessions: InMemoryRefreshSessionRepository
    mfa_factors: InMemoryMfaFactorRepository
    backup_codes: InMemoryBackupCodeRepository
    mfa_challenges: InMemoryMfaChallengeRepository
    security_events: InMemorySecurityEventRepository
    api_keys: InMemoryApiKeyRepository

    def bind(self, working: IdentityState) -> None:
        self.users = InMemoryUserRepository(working)
        self.refresh_sessions = InMemoryRefreshSessionRepository(working)
        self.mfa_factors = InMemoryMfaFactorRepository(working)
        self.backup_codes = InMemoryBackupCodeRepository(working)
        self.mfa_challenges = InMemoryMfaChallengeRepository(working)
        self.security_events = InMemorySecurityEventRepository(working)
        self.api_keys = InMemoryApiKeyRepository(working)


class InMemoryIdentityStore(InMemoryStore[IdentityState]):
    """The in-memory stand-in for the identity tables; call it to open a unit of work."""

    def __init__(self) -> None:
        super().__init__(IdentityState())

    def __call__(self) -> InMemoryIdentityUnitOfWork:
        return InMemoryIdentityUnitOfWork(self)

    async def find_by_digest(self, digest: str) -> ApiKey | None:
        """The ApiKeyLookup port: a read of the committed state, outside any unit of work."""
        return next((k for k in self.state.api_keys.values() if k.digest == digest), None)
