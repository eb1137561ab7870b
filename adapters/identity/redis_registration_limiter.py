from __future__ import annotations

from redis.asyncio import Redis

from adapters.identity.redis_window_counters import RedisWindowCounters
from domain.shared.errors import TooManyAttempts


class RedisRegistrationLimiter:
    """Registrations per client address (over ``ip_window_seconds``) and for the whole service
    (per minute); a registration refused by one limit is not counted by the other."""

    def __init__(self, redis: Redis, *, per_ip: int, ip_window_seconds: int, per_minute: int) -> None:
        self._counters = RedisWindowCounters(redis)
        self._per_ip = (per_ip, ip_window_seconds)
        self._per_minute = per_minute

    async def admit(self, ip: str | None) -> None:
        tiers = [("mg:registrations:all", self._per_minute, 60)]
        if ip:
            tiers.insert(0, (f"mg:registrations:ip:{ip}", *self._per_ip))
        wait = await self._counters.take(tiers)
        if wait is not None:
            raise TooManyAttempts(
                "Too many registrations; try again later.", retry_after_seconds=wait, limiter="registration"
            )
