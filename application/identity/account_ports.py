"""Ports of accounts and sessions: users, refresh sessions, passwords, access tokens, revoked
sessions, the sign-in and registration limits, the security log, and the unit of work over every
identity repository."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from attrs import frozen

from application.identity.account_token_ports import AccountTokenRepository
from application.identity.api_key_ports import ApiKeyRepository
from application.identity.external_identity_ports import ExternalIdentityRepository
from application.identity.mfa_ports import BackupCodeRepository, MfaChallengeRepository, MfaFactorRepository
from application.identity.outgoing_mail_ports import OutgoingMail
from domain.identity.email import EmailAddress
from domain.identity.refresh_session import ActiveSession, RefreshSession, SealedToken
from domain.identity.security_event import SecurityEvent
from domain.identity.user import User


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """Store a new user; raise EmailAlreadyRegistered if the email is taken."""

    async def get(self, user_id: UUID) -> User | None: ...

    async def get_by_email(self, email: EmailAddress) -> User | None: ...

    async def update_display_name(self, user_id: UUID, display_name: str) -> None: ...

    async def add_scope(self, user_id: UUID, scope: str) -> bool:
        """Give the user ``scope``; False if they held it already or do not exist (compare-and-set,
        so of two concurrent grants exactly one changes the row)."""

    async def remove_scope(self, user_id: UUID, scope: str) -> bool:
        """Take ``scope`` from the user; False if they did not hold it or do not exist."""

    # verified email and password reset
    async def mark_email_verified(self, user_id: UUID, email: EmailAddress) -> bool:
        """Mark the user's email verified if it still is ``email``; False otherwise (or no such user)."""

    async def set_password_hash(self, user_id: UUID, password_hash: str) -> None: ...


class RefreshSessionRepository(Protocol):
    async def add(self, session: RefreshSession) -> None: ...

    async def get_by_digest(self, token_digest: str) -> RefreshSession | None: ...

    async def mark_rotated(self, session_id: UUID, now: datetime, successor: SealedToken | None = None) -> bool:
        """Retire an active session, keeping ``successor`` sealed on it for a retry; False if it was
        already rotated or revoked (compare-and-set). Locks only this session's row."""

    async def revoke_family(self, family_id: UUID, now: datetime) -> None:
        """Revoke every session of the family and wipe their sealed successors."""

    async def wipe_successors(self, rotated_before: datetime) -> int:
        """Wipe the sealed successors of sessions rotated at or before ``rotated_before``; return how many."""

    async def delete_expired(self, before: datetime) -> int:
        """Delete sessions that expired before ``before``; return how many."""

    # sessions list (TV sign-in)
    async def list_active(self, user_id: UUID, now: datetime) -> list[ActiveSession]:
        """The user's families that still have a live, unexpired token; most recently used first."""

    # verified email and password reset
    async def revoke_all_for_user(self, user_id: UUID, now: datetime) -> list[UUID]:
        """Revoke every unrevoked session of the user; return the families that had one."""


@frozen
class SecurityEventPage:
    items: tuple[SecurityEvent, ...]
    total: int


class SecurityEventRepository(Protocol):
    async def add(self, event: SecurityEvent) -> None: ...

    async def list_for_user(self, user_id: UUID, limit: int, offset: int) -> SecurityEventPage:
        """Newest first."""


class IdentityUnitOfWork(Protocol):
    """A transaction over the identity repositories; rolled back unless ``commit`` is called."""

    users: UserRepository
    refresh_sessions: RefreshSessionRepository
    mfa_factors: MfaFactorRepository
    backup_codes: BackupCodeRepository
    mfa_challenges: MfaChallengeRepository
    security_events: SecurityEventRepository
    api_keys: ApiKeyRepository
    outgoing_mail: OutgoingMail
    # provider sign-in
    external_identities: ExternalIdentityRepository
    # verified email and password reset
    account_tokens: AccountTokenRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class IdentityUnitOfWorkFactory(Protocol):
    def __call__(self) -> IdentityUnitOfWork: ...


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...

    async def verify_against_nothing(self, password: str) -> None:
        """Spend the time of a real verification, so unknown accounts answer as slowly as known ones."""


@frozen
class AccessTokenClaims:
    subject: UUID
    scopes: frozenset[str]
    issued_at: datetime
    expires_at: datetime
    auth_time: datetime
    token_id: str
    session_family: UUID


@frozen
class IssuedAccessToken:
    token: str
    expires_in_seconds: int


class AccessTokenIssuer(Protocol):
    def issue(
        self, user_id: UUID, scopes: frozenset[str], auth_time: datetime, session_family: UUID
    ) -> IssuedAccessToken: ...

    def verify(self, token: str) -> AccessTokenClaims:
        """Return the claims of a valid token; raise InvalidAccessToken otherwise."""

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The JSON Web Key Set (RFC 7517) with the public keys that verify issued tokens."""


class RevokedSessions(Protocol):
    """Session families ended before their access tokens expire, shared by every process.

    A revocation is remembered for as long as an access token of the family can still be valid,
    so every request carrying one can be refused at once."""

    async def revoke(self, session_id: UUID) -> None: ...

    async def is_revoked(self, session_id: UUID) -> bool: ...


class LoginThrottle(Protocol):
    """Counts failed logins within a time window: tightly per (account, client IP), loosely per
    account, and per client IP across accounts. Failures from one address therefore lock that
    address out of the account, not the owner signing in from another one."""

    async def retry_after(self, account: str, ip: str | None) -> int | None:
        """Seconds to wait if any of the three counters is at its limit, else None."""

    async def record_failure(self, account: str, ip: str | None) -> None: ...

    async def clear_account(self, account: str, ip: str | None) -> None:
        """Forget the account's failures, and those of (account, ip), after a correct password."""


class RegistrationLimiter(Protocol):
    """Limits registrations per client IP and for the whole service, across processes."""

    async def admit(self, ip: str | None) -> None:
        """Count one registration; raise TooManyAttempts (counting nothing) if a limit is reached."""
