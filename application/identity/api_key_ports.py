"""Ports of the API-key capability: storing and finding keys, their rate limits and usage, and
the per-client budget of leaked-key reports."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from attrs import frozen

from domain.identity.api_key import ApiKey


class ApiKeyRepository(Protocol):
    async def add(self, key: ApiKey) -> None: ...

    async def get_by_digest(self, digest: str) -> ApiKey | None: ...

    async def get(self, key_id: UUID) -> ApiKey | None: ...

    async def list_for_user(self, user_id: UUID) -> list[ApiKey]:
        """Newest first."""

    async def revoke(self, key_id: UUID, now: datetime) -> bool:
        """Revoke an unrevoked key; False if already revoked or unknown."""

    async def record_use(self, key_id: UUID, at: datetime, ip: str | None) -> None: ...

    async def remove_scope(self, user_id: UUID, scope: str) -> list[ApiKey]:
        """Take ``scope`` off each of the user's unrevoked keys that carries it; those keys as
        they were before (revoked keys keep what they had when they were revoked)."""


@frozen
class FoundApiKey:
    """A key as authentication needs it: with the scopes its owner holds now."""

    api_key: ApiKey
    owner_scopes: frozenset[str]


class ApiKeyLookup(Protocol):
    """The read on every API-key request, kept to one round trip outside any transaction."""

    async def find_by_digest(self, digest: str) -> FoundApiKey | None: ...


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


class ApiKeyRateLimiter(Protocol):
    async def hit(self, key_id: UUID, limit_per_minute: int) -> RateLimitDecision: ...


class ApiKeyUsageRecorder(Protocol):
    async def should_record(self, key_id: UUID) -> bool:
        """True at most once per key per minute, across processes: coalesces last-used writes."""


class ClientRateLimiter(Protocol):
    """One budget of requests per client (an IP address) per window, shared by every process; each
    limiter has its own name, limit and window."""

    async def hit(self, client: str) -> RateLimitDecision:
        """Count one request from ``client`` and say whether it is within the budget."""
