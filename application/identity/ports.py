from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from attrs import frozen

from domain.identity.email import EmailAddress
from domain.identity.refresh_session import RefreshSession
from domain.identity.user import User


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """Store a new user; raise EmailAlreadyRegistered if the email is taken."""

    async def get(self, user_id: UUID) -> User | None: ...

    async def get_by_email(self, email: EmailAddress) -> User | None: ...

    async def update_display_name(self, user_id: UUID, display_name: str) -> None: ...


class RefreshSessionRepository(Protocol):
    async def add(self, session: RefreshSession) -> None: ...

    async def get_by_digest(self, token_digest: str) -> RefreshSession | None: ...

    async def mark_rotated(self, session_id: UUID, now: datetime) -> bool:
        """Retire an active session; False if it was already rotated or revoked (compare-and-set)."""

    async def revoke_family(self, family_id: UUID, now: datetime) -> None: ...

    async def delete_expired(self, before: datetime) -> int:
        """Delete sessions that expired before ``before``; return how many."""


class IdentityUnitOfWork(Protocol):
    """A transaction over the identity repositories; rolled back unless ``commit`` is called."""

    users: UserRepository
    refresh_sessions: RefreshSessionRepository

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
    session_family: UUID | None = None


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


class LoginThrottle(Protocol):
    """Counts failed logins per account and per client IP within a time window."""

    async def retry_after(self, account: str, ip: str | None) -> int | None:
        """Seconds to wait if the account or the IP is over its limit, else None."""

    async def record_failure(self, account: str, ip: str | None) -> None: ...

    async def clear_account(self, account: str) -> None: ...
