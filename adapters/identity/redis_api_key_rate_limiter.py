from __future__ import annotations

import math
import time
from uuid import UUID

from redis.asyncio import Redis

from adapters.identity.redis_window_counters import HIT_SCRIPT
from application.identity.api_key_ports import RateLimitDecision


class RedisApiKeyRateLimiter:
    """A fixed one-minute window per key, aligned to the clock minute so every process agrees."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._hit = redis.register_script(HIT_SCRIPT)

    async def hit(self, key_id: UUID, limit_per_minute: int) -> RateLimitDecision:
        now = time.time()
        window = int(now) // 60
        reset = max(1, math.ceil((window + 1) * 60 - now))  # the budget refills when the minute ends
        count, _ = await self._hit(keys=[f"mg:api-key-rate:{key_id}:{window}"], args=[(reset + 1) * 1000])
        return RateLimitDecision.after(int(count), limit_per_minute, reset)
