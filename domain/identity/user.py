from __future__ import annotations

from datetime import datetime
from uuid import UUID

from attrs import define, field

from domain.identity.email import EmailAddress
from domain.shared.errors import InvalidInput

MAX_DISPLAY_NAME_LENGTH = 100
DEFAULT_USER_SCOPES = frozenset({"read", "write"})


def clean_display_name(raw: str | None, email: EmailAddress) -> str:
    name = " ".join((raw or "").split())
    if not name:
        return email.local_part
    if len(name) > MAX_DISPLAY_NAME_LENGTH:
        raise InvalidInput(
            f"Display name must be at most {MAX_DISPLAY_NAME_LENGTH} characters.",
            field="display_name",
        )
    return name


@define
class User:
    id: UUID
    email: EmailAddress
    display_name: str
    password_hash: str
    created_at: datetime
    scopes: frozenset[str] = field(default=DEFAULT_USER_SCOPES)
