from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from redis.asyncio import Redis

from adapters.shared.redis_batched_script import BatchedScript

# One key per revoked session; EXISTS on the hot path goes through the batched pipeline.
_IS_REVOKED = "return redis.call('EXISTS', KEYS[1])"


def _key(session_id: UUID) -> str:
    return f"mg:revoked-session:{session_id}"


class RedisRevokedSessions:
    """A key per revoked session id, expiring when the last access token of the session would."""

    def __init__(self, redis: Redis, *, remember_for: timedelta) -> None:
        self._redis = redis
        self._remember_ms = int(remember_for.total_seconds() * 1000)
        self._is_revoked = BatchedScript(redis, _IS_REVOKED, "is_revoked")

    async def revoke(self, session_id: UUID) -> None:
        await self._redis.set(_key(session_id), b"1", px=self._remember_ms)

    async def is_revoked(self, session_id: UUID) -> bool:
        return bool(await self._is_revoked(keys=[_key(session_id)], args=[]))
