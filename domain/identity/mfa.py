"""TOTP factors (RFC 6238) and backup codes: the rules, free of any crypto library."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from uuid import UUID

from attrs import define, frozen

from domain.shared.errors import Conflict, TooManyAttempts, Unauthenticated

TOTP_STEP_SECONDS = 30
TOTP_DIGITS = 6
ACCEPT_WINDOW_STEPS = 1
DRIFT_HINT_MAX_STEPS = 10
ENROLLMENT_TTL = timedelta(minutes=10)
MFA_CHALLENGE_TTL = timedelta(minutes=5)
LOCK_AFTER_FAILURES = 10
LOCK_DURATION = timedelta(minutes=15)
REAUTHENTICATION_MAX_AGE = timedelta(minutes=10)
BACKUP_CODE_COUNT = 10
BACKUP_CODES_LOW_WATERMARK = 3


class FactorStatus(Enum):
    PENDING = "pending"
    ACTIVE = "active"


class InvalidMfaCode(Unauthenticated):
    code = "invalid-mfa-code"

    def __init__(self, detail: str, *, clock_drift_seconds: int | None = None) -> None:
        super().__init__(detail)
        self.clock_drift_seconds = clock_drift_seconds


class MfaCodeReplayed(InvalidMfaCode):
    pass


class FactorLocked(TooManyAttempts):
    code = "factor-locked"


class MfaAlreadyEnabled(Conflict):
    code = "mfa-already-enabled"


class MfaNotEnabled(Conflict):
    code = "mfa-not-enabled"


class NoPendingEnrollment(Conflict):
    code = "no-pending-enrollment"


class ReauthenticationRequired(Unauthenticated):
    code = "reauthentication-required"


class InvalidMfaToken(Unauthenticated):
    code = "invalid-mfa-token"


def time_step(at: datetime) -> int:
    return int(at.timestamp()) // TOTP_STEP_SECONDS


def require_recent_authentication(auth_time: datetime, now: datetime) -> None:
    if now - auth_time > REAUTHENTICATION_MAX_AGE:
        raise ReauthenticationRequired(
            "Sign in again to change two-factor settings: your sign-in is more than 10 minutes old."
        )


@define
class TotpFactor:
    """A user's TOTP authenticator. The secret is held only encrypted (``sealed_secret``)."""

    id: UUID
    user_id: UUID
    sealed_secret: bytes
    key_id: str
    status: FactorStatus
    created_at: datetime
    confirmed_at: datetime | None = None
    last_used_step: int | None = None
    consecutive_failures: int = 0
    locked_until: datetime | None = None

    def is_pending_expired(self, now: datetime) -> bool:
        return self.status is FactorStatus.PENDING and now >= self.created_at + ENROLLMENT_TTL

    def ensure_not_locked(self, now: datetime) -> None:
        if self.locked_until is not None and now < self.locked_until:
            wait = int((self.locked_until - now).total_seconds()) + 1
            raise FactorLocked(
                "Two-factor authentication is locked after too many wrong codes; use a backup code or try again later.",
                retry_after_seconds=wait,
                limiter="factor_lock",
            )

    def ensure_fresh(self, step: int) -> None:
        """A code is accepted at most once: its step must be later than the last accepted one."""
        if self.last_used_step is not None and step <= self.last_used_step:
            raise MfaCodeReplayed("This code was already used; wait for the next one.")

    def register_failure(self, now: datetime) -> bool:
        """Count a wrong code; return True when this failure locks the factor."""
        self.consecutive_failures += 1
        if self.consecutive_failures >= LOCK_AFTER_FAILURES:
            self.locked_until = now + LOCK_DURATION
            self.consecutive_failures = 0
            return True
        return False


@frozen
class BackupCode:
    id: UUID
    user_id: UUID
    code_hash: str
    created_at: datetime
    used_at: datetime | None = None


# Crockford's base32 alphabet: no I, L, O or U, so nothing is confusable. 10 symbols = 50 bits.
BACKUP_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BACKUP_CODE_LENGTH = 10
_CROCKFORD_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalise_backup_code(raw: str) -> str | None:
    """Upper-case, drop dashes and spaces, fold O→0 and I/L→1; None if it cannot be a backup code."""
    cleaned = "".join(ch for ch in raw.upper() if ch not in "- ").translate(_CROCKFORD_ALIASES)
    if len(cleaned) != BACKUP_CODE_LENGTH or any(ch not in BACKUP_CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def format_backup_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def looks_like_totp(raw: str) -> str | None:
    digits = "".join(raw.split())
    return digits if len(digits) == TOTP_DIGITS and digits.isdigit() else None
