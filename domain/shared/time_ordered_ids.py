"""UUIDv7 (RFC 9562): a random id whose first 48 bits are the Unix time in milliseconds, so the
moment it was made can be read back from it (a search id tells its age without a lookup)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID


def time_ordered_id(at: datetime, random_bytes: bytes) -> UUID:
    """A version-7 id for the moment ``at`` (millisecond precision), filled from ``random_bytes``
    (at least 10 bytes)."""
    if len(random_bytes) < 10:
        raise ValueError("a time-ordered id needs 10 random bytes")
    millis = int(at.timestamp() * 1000)
    rand = int.from_bytes(random_bytes[:10], "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version 7
    value |= ((rand >> 68) & 0xFFF) << 64  # 12 random bits
    value |= 0b10 << 62  # the RFC 4122 variant
    value |= rand & ((1 << 62) - 1)
    return UUID(int=value)


def moment_of(value: UUID) -> datetime | None:
    """When a version-7 id was made (to the millisecond); None for any other id."""
    if value.version != 7 or value.variant != "specified in RFC 4122":
        return None
    return datetime.fromtimestamp((value.int >> 80) / 1000, tz=UTC)
