"""Counters in Redis shared by every process: the factor attempt guard, per-key API rate limits,
per-client request limits, and the once-a-minute gate for recording API key use."""

from __future__ import annotations

import math
import time
from uuid import UUID

from redis.asyncio import Redis

from application.identity.ports import RateLimitDecision
from domain.shared.errors import TooManyAttempts

_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
"""


class RedisFactorAttemptGuard:
    def __init__(self, redis: Redis, *, per_account: int = 5, per_ip: int = 5, window_seconds: int = 60) -> None:
        self._redis = redis
        self._per_account = per_account
        self._per_ip = per_ip
        self._window_ms = window_seconds * 1000
        self._hit = redis.register_script(_HIT)

    async def attempt(self, user_id: UUID, ip: str | None) -> None:
        checks = [(f"mg:mfa-attempts:user:{user_id}", self._per_account)]
        if ip:
            checks.append((f"mg:mfa-attempts:ip:{ip}", self._per_ip))
        waits = []
        for key, limit in checks:
            count, ttl_ms = await self._hit(keys=[key], args=[self._window_ms])
            if int(count) > limit:
                waits.append(max(1, -(-int(ttl_ms) // 1000)))
        if waits:
            raise TooManyAttempts("Too many two-factor attempts; wait a minute.", retry_after_seconds=max(waits))


class RedisApiKeyRateLimiter:
    """A fixed one-minute window per key, aligned to the clock minute so every process agrees."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._hit = redis.register_script(_HIT)

    async def hit(self, key_id: UUID, limit_per_minute: int) -> RateLimitDecision:
        now = time.time()
        window = int(now) // 60
        reset = max(1, math.ceil((window + 1) * 60 - now))  # the budget refills when the minute ends
        count, _ = await self._hit(keys=[f"mg:api-key-rate:{key_id}:{window}"], args=[(reset + 1) * 1000])
        count = int(count)
        return RateLimitDecision(
            allowed=count <= limit_per_minute,
            limit=limit_per_minute,
            remaining=max(0, limit_per_minute - count),
            reset_seconds=reset,
        )


class RedisClientRateLimiter:
    """A window per client that starts at its first request; ``name`` keeps limiters apart."""

    def __init__(self, redis: Redis, *, name: str, limit: int, window_seconds: int = 60) -> None:
        self._prefix = f"mg:client-rate:{name}:"
        self._limit = limit
        self._window_ms = window_seconds * 1000
        self._hit = redis.register_script(_HIT)

    async def hit(self, client: str) -> RateLimitDecision:
        count, ttl_ms = await self._hit(keys=[self._prefix + client], args=[self._window_ms])
        count = int(count)
        return RateLimitDecision(
            allowed=count <= self._limit,
            limit=self._limit,
            remaining=max(0, self._limit - count),
            reset_seconds=max(1, -(-int(ttl_ms) // 1000)),
        )


class RedisApiKeyUsageRecorder:
    def __init__(self, redis: Redis, *, interval_seconds: int = 60) -> None:
        self._redis = redis
        self._interval = interval_seconds

    async def should_record(self, key_id: UUID) -> bool:
        return bool(await self._redis.set(f"mg:api-key-used:{key_id}", b"1", nx=True, ex=self._interval))
