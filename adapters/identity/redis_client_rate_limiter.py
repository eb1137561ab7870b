from __future__ import annotations

from redis.asyncio import Redis

from adapters.identity.redis_window_counters import HIT_SCRIPT
from application.identity.api_key_ports import RateLimitDecision


class RedisClientRateLimiter:
    """A window per client that starts at its first request; ``name`` keeps limiters apart."""

    def __init__(self, redis: Redis, *, name: str, limit: int, window_seconds: int = 60) -> None:
        self._prefix = f"mg:client-rate:{name}:"
        self._limit = limit
        self._window_ms = window_seconds * 1000
        self._hit = redis.register_script(HIT_SCRIPT)

    async def hit(self, client: str) -> RateLimitDecision:
        count, ttl_ms = await self._hit(keys=[self._prefix + client], args=[self._window_ms])
        return RateLimitDecision.after(int(count), self._limit, max(1, -(-int(ttl_ms) // 1000)))
