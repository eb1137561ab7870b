from __future__ import annotations

import unicodedata
from datetime import datetime
from uuid import UUID

from attrs import define, field

from domain.identity.email import EmailAddress
from domain.shared.errors import InvalidInput

MAX_DISPLAY_NAME_LENGTH = 100
DEFAULT_USER_SCOPES = frozenset({"read", "write"})
# Held only when an operator grants it (`media-gateway grant-admin`); no route and no sign-up gives it.
ADMIN_SCOPE = "admin"


# Format characters (Unicode category Cf) are invisible; the bidi embeddings, overrides, isolates
# and marks among them reorder how the text around a name is shown (Trojan Source, CVE-2021-42574).
# Two stay: the joiners, which emoji sequences (ZWJ) and Persian and Indic names (ZWNJ) need.
_ALLOWED_FORMAT = frozenset({"\u200c", "\u200d"})
# Tag characters are Cf too, and can smuggle invisible ASCII; they are allowed only as the three
# recommended subdivision flags (England, Scotland, Wales).
_TAG_FLAGS = tuple(
    "\U0001f3f4" + "".join(chr(0xE0000 + ord(letter)) for letter in region) + "\U000e007f"
    for region in ("gbeng", "gbsct", "gbwls")
)
_LINE_BREAKS = frozenset("\t\n\r")  # collapsed into single spaces like any other whitespace


def _unshowable(text: str) -> str | None:
    for flag in _TAG_FLAGS:
        text = text.replace(flag, "")
    for char in text:
        kind = unicodedata.category(char)
        if (kind == "Cc" and char not in _LINE_BREAKS) or (kind == "Cf" and char not in _ALLOWED_FORMAT):
            return char
    return None


def clean_display_name(raw: str | None, email: EmailAddress) -> str:
    bad = _unshowable(raw or "")
    if bad is not None:
        raise InvalidInput(
            f"Display name must not contain control or invisible formatting characters "
            f"(such as bidirectional overrides); found U+{ord(bad):04X}.",
            field="display_name",
        )
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
    # None for an account created through an identity provider, until a password is set (reset).
    password_hash: str | None
    created_at: datetime
    scopes: frozenset[str] = field(default=DEFAULT_USER_SCOPES)
    # The owner proved they receive mail at ``email`` (a verification link, or a provider that
    # verified it). Only a verified address may link an external identity to the account by email.
    email_verified: bool = False

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None
