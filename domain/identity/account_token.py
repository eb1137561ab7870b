"""Single-use, expiring tokens mailed to an account's address: one proves the person reads mail
there (email verification), the other lets them choose a new password (password reset)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from uuid import UUID

import attrs
from attrs import frozen

from domain.identity.email import EmailAddress
from domain.shared.errors import DomainError


class AccountTokenPurpose(Enum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 (a purpose's name)

    @property
    def lifetime(self) -> timedelta:
        # A reset link is a way into the account, so it lives only as long as someone waits for it.
        return timedelta(hours=24) if self is AccountTokenPurpose.VERIFY_EMAIL else timedelta(hours=1)


class InvalidAccountToken(DomainError):
    """Unknown, expired, used already, meant for something else, or sent to an address the account
    no longer has: one answer for all, so a token's fate is not told to whoever holds it."""

    code = "invalid-account-token"


@frozen
class AccountToken:
    """Only the token's digest is kept; the token itself exists only in the mail that carries it."""

    id: UUID
    user_id: UUID
    purpose: AccountTokenPurpose
    digest: str
    email: EmailAddress  # where it was sent: it proves that address, and no other
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    @classmethod
    def issue(
        cls, *, id: UUID, user_id: UUID, purpose: AccountTokenPurpose, digest: str, email: EmailAddress, now: datetime
    ) -> AccountToken:
        return cls(
            id=id,
            user_id=user_id,
            purpose=purpose,
            digest=digest,
            email=email,
            created_at=now,
            expires_at=now + purpose.lifetime,
        )

    @property
    def lifetime(self) -> timedelta:
        return self.expires_at - self.created_at

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at

    def use(self, now: datetime, current_email: EmailAddress) -> AccountToken:
        """The token, used at ``now``; refused unless it is unused, unexpired and was sent to the
        account's address of the moment."""
        if not self.usable(now) or current_email != self.email:
            raise InvalidAccountToken("This link is invalid or has expired; ask for a new one.")
        return attrs.evolve(self, used_at=now)
