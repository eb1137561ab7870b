from __future__ import annotations

import uuid
from datetime import UTC, datetime

from domain.identity.email import EmailAddress
from domain.identity.user import User

CREATED_AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def a_user(email: str = "ana@example.com") -> User:
    """A stored account as the repositories see it (the hash is never checked there)."""
    return User(
        id=uuid.uuid4(),
        email=EmailAddress.parse(email),
        display_name="Ana",
        password_hash="$argon2id$fake",
        created_at=CREATED_AT,
    )
