from __future__ import annotations

import unicodedata

from attrs import frozen

from domain.shared.errors import InvalidInput

MAX_EMAIL_LENGTH = 254


class InvalidEmail(InvalidInput):
    code = "invalid-email"


@frozen
class EmailAddress:
    """An email address in canonical form: NFKC, trimmed, lower-cased.

    Lower-casing the local part is not what RFC 5321 says, but every mailbox provider users meet
    treats it case-insensitively, and two accounts differing only in case are always a mistake.
    """

    value: str

    @classmethod
    def parse(cls, raw: str) -> EmailAddress:
        text = unicodedata.normalize("NFKC", raw).strip().lower()
        if not text or len(text) > MAX_EMAIL_LENGTH:
            raise InvalidEmail("Email must be between 3 and 254 characters.", field="email")
        local, at, domain = text.rpartition("@")
        if not at or not local or not domain:
            raise InvalidEmail("Email must look like name@example.com.", field="email")
        if any(ch.isspace() for ch in text) or "." not in domain.strip("."):
            raise InvalidEmail("Email must look like name@example.com.", field="email")
        if domain.startswith(".") or domain.endswith(".") or ".." in domain:
            raise InvalidEmail("Email domain is not valid.", field="email")
        return cls(text)

    @property
    def local_part(self) -> str:
        return self.value.rpartition("@")[0]

    def __str__(self) -> str:
        return self.value
