"""API keys: ``mg_live_`` + 256 random bits in base62 + a 6-character CRC32 checksum.

The checksum lets a secret scanner, and our own middleware, reject a mistyped or made-up key
without a database round trip. Only a SHA-256 digest of the key is ever stored.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta
from uuid import UUID

from attrs import frozen

from domain.shared.errors import Forbidden, InvalidInput

API_KEY_PREFIX = "mg_live_"
RANDOM_BYTES = 32
BODY_LENGTH = 43  # 62**43 > 2**256, so every 256-bit value fits
CHECKSUM_LENGTH = 6
KEY_LENGTH = len(API_KEY_PREFIX) + BODY_LENGTH + CHECKSUM_LENGTH
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

ALL_SCOPES = frozenset({"read", "write", "admin"})
_IMPLIED = {"admin": {"write", "read"}, "write": {"read"}, "read": set()}
DEFAULT_EXPIRY = timedelta(days=90)
MAX_EXPIRY_DAYS = 365
DEFAULT_RATE_LIMIT_PER_MINUTE = 60
MAX_RATE_LIMIT_PER_MINUTE = 10_000
MAX_KEY_NAME_LENGTH = 100


class InvalidApiKeyRequest(InvalidInput):
    code = "invalid-api-key-request"


class ScopeNotHeld(Forbidden):
    code = "scope-not-held"


def _base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, remainder = divmod(number, 62)
        digits.append(BASE62[remainder])
    return "".join(reversed(digits)).rjust(width, "0")


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), CHECKSUM_LENGTH)


def encode_api_key(random_bytes: bytes) -> str:
    if len(random_bytes) < RANDOM_BYTES:
        raise ValueError("an API key needs at least 256 random bits")
    body = _base62(int.from_bytes(random_bytes[:RANDOM_BYTES], "big"), BODY_LENGTH)
    return f"{API_KEY_PREFIX}{body}{_checksum(body)}"


def is_well_formed(raw: str) -> bool:
    """Prefix, length, alphabet and checksum: everything that can be checked without storage."""
    if len(raw) != KEY_LENGTH or not raw.startswith(API_KEY_PREFIX):
        return False
    rest = raw[len(API_KEY_PREFIX) :]
    if any(ch not in BASE62 for ch in rest):
        return False
    body, checksum = rest[:BODY_LENGTH], rest[BODY_LENGTH:]
    return _checksum(body) == checksum


def expand_scopes(scopes: frozenset[str]) -> frozenset[str]:
    """``write`` implies ``read``; ``admin`` implies both."""
    expanded = set(scopes)
    for scope in scopes:
        expanded |= _IMPLIED.get(scope, set())
    return frozenset(expanded)


def effective_scopes(key_scopes: frozenset[str], owner_scopes: frozenset[str]) -> frozenset[str]:
    """What a key may do now: its own scopes, never more than its owner holds today. A key keeps
    the scopes it was given, but loses at once any its owner has lost since (admin revoked)."""
    return expand_scopes(key_scopes) & expand_scopes(owner_scopes)


def validate_requested_scopes(requested: list[str], held: frozenset[str]) -> frozenset[str]:
    if not requested:
        raise InvalidApiKeyRequest("Give the key at least one scope.", field="scopes")
    unknown = sorted(set(requested) - ALL_SCOPES)
    if unknown:
        raise InvalidApiKeyRequest(f"Unknown scope(s): {', '.join(unknown)}. Use read, write or admin.", field="scopes")
    wanted = expand_scopes(frozenset(requested))
    missing = sorted(wanted - expand_scopes(held))
    if missing:
        raise ScopeNotHeld(f"You cannot grant scope(s) you do not hold: {', '.join(missing)}.")
    return wanted


@frozen
class ApiKey:
    id: UUID
    user_id: UUID
    name: str
    digest: str
    prefix: str
    last_four: str
    scopes: frozenset[str]
    rate_limit_per_minute: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    last_used_ip: str | None = None

    @property
    def masked(self) -> str:
        return f"{API_KEY_PREFIX}{self.prefix}…{self.last_four}"

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and not self.is_expired(now)
