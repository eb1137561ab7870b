from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from attrs import frozen

from domain.identity.api_key import ApiKey
from domain.identity.email import EmailAddress
from domain.identity.mfa import BackupCode, TotpFactor
from domain.identity.refresh_session import RefreshSession, SealedToken
from domain.identity.security_event import SecurityEvent
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

    async def mark_rotated(self, session_id: UUID, now: datetime, successor: SealedToken | None = None) -> bool:
        """Retire an active session, keeping ``successor`` sealed on it for a retry; False if it was
        already rotated or revoked (compare-and-set). Locks only this session's row."""

    async def revoke_family(self, family_id: UUID, now: datetime) -> None:
        """Revoke every session of the family and wipe their sealed successors."""

    async def wipe_successors(self, rotated_before: datetime) -> int:
        """Wipe the sealed successors of sessions rotated at or before ``rotated_before``; return how many."""

    async def delete_expired(self, before: datetime) -> int:
        """Delete sessions that expired before ``before``; return how many."""


class MfaFactorRepository(Protocol):
    async def get(self, user_id: UUID, status: str) -> TotpFactor | None:
        """The user's factor in ``status`` ('pending' or 'active'), if any."""

    async def add(self, factor: TotpFactor) -> None: ...

    async def delete(self, factor_id: UUID) -> None: ...

    async def save_state(self, factor: TotpFactor) -> None:
        """Persist status, confirmation time, failure count and lock of an existing factor."""

    async def advance_step(self, factor_id: UUID, step: int) -> bool:
        """Record ``step`` as the last accepted one if it is later than the stored one (compare-and-set)."""


class BackupCodeRepository(Protocol):
    async def replace_all(self, user_id: UUID, codes: list[BackupCode]) -> None: ...

    async def unused(self, user_id: UUID) -> list[BackupCode]: ...

    async def consume(self, code_id: UUID, now: datetime) -> bool:
        """Mark an unused code used; False if it was used already (compare-and-set)."""

    async def delete_all(self, user_id: UUID) -> None: ...


@frozen
class MfaChallenge:
    token_digest: str
    user_id: UUID
    created_at: datetime
    expires_at: datetime
    consumed_at: datetime | None = None


class MfaChallengeRepository(Protocol):
    async def add(self, challenge: MfaChallenge) -> None: ...

    async def get_live(self, token_digest: str, now: datetime) -> MfaChallenge | None:
        """The challenge if it exists, is unexpired and unconsumed."""

    async def consume(self, token_digest: str, now: datetime) -> bool:
        """Mark a live challenge consumed; False if it was consumed already (compare-and-set)."""


@frozen
class SecurityEventPage:
    items: tuple[SecurityEvent, ...]
    total: int


class SecurityEventRepository(Protocol):
    async def add(self, event: SecurityEvent) -> None: ...

    async def list_for_user(self, user_id: UUID, limit: int, offset: int) -> SecurityEventPage:
        """Newest first."""


class ApiKeyRepository(Protocol):
    async def add(self, key: ApiKey) -> None: ...

    async def get_by_digest(self, digest: str) -> ApiKey | None: ...

    async def get(self, key_id: UUID) -> ApiKey | None: ...

    async def list_for_user(self, user_id: UUID) -> list[ApiKey]:
        """Newest first."""

    async def revoke(self, key_id: UUID, now: datetime) -> bool:
        """Revoke an unrevoked key; False if already revoked or unknown."""

    async def record_use(self, key_id: UUID, at: datetime, ip: str | None) -> None: ...


class ApiKeyLookup(Protocol):
    """The read on every API-key request, kept to one round trip outside any transaction."""

    async def find_by_digest(self, digest: str) -> ApiKey | None: ...


class ClientRateLimiter(Protocol):
    """One budget of requests per client (an IP address) per window, shared by every process; each
    limiter has its own name, limit and window."""

    async def hit(self, client: str) -> RateLimitDecision:
        """Count one request from ``client`` and say whether it is within the budget."""


class IdentityUnitOfWork(Protocol):
    """A transaction over the identity repositories; rolled back unless ``commit`` is called."""

    users: UserRepository
    refresh_sessions: RefreshSessionRepository
    mfa_factors: MfaFactorRepository
    backup_codes: BackupCodeRepository
    mfa_challenges: MfaChallengeRepository
    security_events: SecurityEventRepository
    api_keys: ApiKeyRepository

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


class TotpAlgorithm(Protocol):
    """RFC 6238 TOTP with SHA-1, 6 digits, 30-second steps."""

    def new_secret(self) -> str:
        """A fresh 160-bit secret in base32."""

    def code_at_step(self, secret: str, step: int) -> str: ...

    def provisioning_uri(self, secret: str, account: str, issuer: str) -> str: ...


class QrRenderer(Protocol):
    def png_data_uri(self, text: str) -> str: ...

    def svg(self, text: str) -> str: ...


class SecretBox(Protocol):
    """Authenticated encryption of small secrets; ``associated_data`` binds a ciphertext to its owner."""

    def seal(self, plaintext: bytes, associated_data: bytes) -> tuple[str, bytes]:
        """Encrypt with the current key; return (key id, ciphertext)."""

    def open(self, key_id: str, sealed: bytes, associated_data: bytes) -> bytes: ...


class FactorAttemptGuard(Protocol):
    """Limits failed attempts at a second factor per account, per (client IP, account) and, with a
    much higher ceiling, per client IP, across processes. An attempt is counted when it starts, so
    concurrent guesses cannot overrun a limit, and given back when it succeeds: only failures count,
    and a refused attempt counts nowhere."""

    async def attempt(self, user_id: UUID, ip: str | None) -> None:
        """Count one attempt; raise TooManyAttempts (counting nothing) if a limit is reached."""

    async def succeeded(self, user_id: UUID, ip: str | None) -> None:
        """Give back the attempt counted by ``attempt``: the code was right."""


class RegistrationLimiter(Protocol):
    """Limits registrations per client IP and for the whole service, across processes."""

    async def admit(self, ip: str | None) -> None:
        """Count one registration; raise TooManyAttempts (counting nothing) if a limit is reached."""


class ApiKeyRateLimiter(Protocol):
    async def hit(self, key_id: UUID, limit_per_minute: int) -> RateLimitDecision: ...


@frozen
class RateLimitDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    @classmethod
    def after(cls, count: int, limit: int, reset_seconds: int) -> RateLimitDecision:
        """The decision once ``count`` requests of a ``limit`` were counted in the window."""
        return cls(allowed=count <= limit, limit=limit, remaining=max(0, limit - count), reset_seconds=reset_seconds)


class ApiKeyUsageRecorder(Protocol):
    async def should_record(self, key_id: UUID) -> bool:
        """True at most once per key per minute, across processes: coalesces last-used writes."""
