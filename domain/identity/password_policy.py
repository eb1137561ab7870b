"""Password rules after NIST SP 800-63B §3.1.1.2: length, no composition rules, no common passwords."""

from __future__ import annotations

import unicodedata
from collections.abc import Container

from attrs import frozen

from domain.identity.email import EmailAddress
from domain.shared.errors import InvalidInput

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


class WeakPassword(InvalidInput):
    code = "weak-password"


def normalise_password(password: str) -> str:
    """NFKC, as 800-63B asks, so the same passphrase typed on any keyboard verifies."""
    return unicodedata.normalize("NFKC", password)


@frozen
class PasswordPolicy:
    common_passwords: Container[str]

    def check(self, password: str, email: EmailAddress) -> None:
        normalised = normalise_password(password)
        length = len(normalised)
        if length < MIN_PASSWORD_LENGTH:
            raise WeakPassword(f"Password must be at least {MIN_PASSWORD_LENGTH} characters.", field="password")
        if length > MAX_PASSWORD_LENGTH:
            raise WeakPassword(f"Password must be at most {MAX_PASSWORD_LENGTH} characters.", field="password")
        lowered = normalised.lower()
        if lowered in self.common_passwords:
            raise WeakPassword("This password is too common; choose one that is harder to guess.", field="password")
        if lowered in (email.value, email.local_part):
            raise WeakPassword("Password must not be your email address.", field="password")
        if len(set(normalised)) == 1:
            raise WeakPassword("Password must not repeat a single character.", field="password")
