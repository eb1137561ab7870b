from __future__ import annotations

from uuid import UUID

from redis.asyncio import Redis


class RedisApiKeyUsageRecorder:
    def __init__(self, redis: Redis, *, interval_seconds: int = 60) -> None:
        self._redis = redis
        self._interval = interval_seconds

    async def should_record(self, key_id: UUID) -> bool:
        return bool(await self._redis.set(f"mg:api-key-used:{key_id}", b"1", nx=True, ex=self._interval))
