from __future__ import annotations

from redis.asyncio import Redis

from adapters.identity.redis_window_counters import RedisWindowCounters
from domain.identity.device_authorization import DEVICE_LIMITS_WINDOW_SECONDS
from domain.shared.errors import TooManyAttempts


class RedisDeviceCodeGuessGuard:
    """Counts wrong user codes per client IP: an attempt is taken when it starts and given back
    when the code matched, so only wrong ones count."""

    def __init__(self, redis: Redis, *, per_ip: int, window_seconds: int = DEVICE_LIMITS_WINDOW_SECONDS) -> None:
        self._counters = RedisWindowCounters(redis)
        self._limit = per_ip
        self._window = window_seconds

    def _key(self, ip: str | None) -> str:
        return f"mg:device-code-guesses:ip:{ip or 'unknown'}"

    async def attempt(self, ip: str | None) -> None:
        wait = await self._counters.take([(self._key(ip), self._limit, self._window)])
        if wait is not None:
            raise TooManyAttempts(
                "Too many wrong codes from this address; wait and try again.",
                retry_after_seconds=wait,
                limiter="device_code",
            )

    async def matched(self, ip: str | None) -> None:
        await self._counters.give_back([self._key(ip)])
