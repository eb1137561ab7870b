from __future__ import annotations

import math
from datetime import datetime, timedelta
from uuid import UUID

from application.identity.ports import RateLimitDecision
from application.shared.ports import Clock
from domain.shared.errors import TooManyAttempts


class _Windows:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[int, datetime]] = {}

    def hit(self, key: str, window: timedelta) -> tuple[int, int]:
        now = self._clock.now()
        count, ends = self._windows.get(key, (0, now))
        if ends <= now:
            count, ends = 0, now + window
        self._windows[key] = (count + 1, ends)
        return count + 1, max(1, math.ceil((ends - now).total_seconds()))


class InMemoryFactorAttemptGuard:
    def __init__(self, clock: Clock, *, per_account: int = 5, per_ip: int = 5, window_seconds: int = 60) -> None:
        self._windows = _Windows(clock)
        self._limits = (per_account, per_ip)
        self._window = timedelta(seconds=window_seconds)
        self.attempts: list[UUID] = []

    async def attempt(self, user_id: UUID, ip: str | None) -> None:
        self.attempts.append(user_id)
        checks = [(f"user:{user_id}", self._limits[0])] + ([(f"ip:{ip}", self._limits[1])] if ip else [])
        waits = []
        for key, limit in checks:
            count, reset = self._windows.hit(key, self._window)
            if count > limit:
                waits.append(reset)
        if waits:
            raise TooManyAttempts("Too many two-factor attempts; wait a minute.", retry_after_seconds=max(waits))


class InMemoryApiKeyRateLimiter:
    def __init__(self, clock: Clock) -> None:
        self._windows = _Windows(clock)

    async def hit(self, key_id: UUID, limit_per_minute: int) -> RateLimitDecision:
        count, reset = self._windows.hit(str(key_id), timedelta(minutes=1))
        return RateLimitDecision(
            allowed=count <= limit_per_minute,
            limit=limit_per_minute,
            remaining=max(0, limit_per_minute - count),
            reset_seconds=reset,
        )


class InMemoryClientRateLimiter:
    def __init__(self, clock: Clock, *, limit: int, window_seconds: int = 60) -> None:
        self._windows = _Windows(clock)
        self._limit = limit
        self._window = timedelta(seconds=window_seconds)

    async def hit(self, client: str) -> RateLimitDecision:
        count, reset = self._windows.hit(client, self._window)
        return RateLimitDecision(
            allowed=count <= self._limit, limit=self._limit, remaining=max(0, self._limit - count), reset_seconds=reset
        )


class InMemoryApiKeyUsageRecorder:
    def __init__(self, clock: Clock, *, interval_seconds: int = 60) -> None:
        self._clock = clock
        self._interval = timedelta(seconds=interval_seconds)
        self._next: dict[UUID, datetime] = {}

    async def should_record(self, key_id: UUID) -> bool:
        now = self._clock.now()
        if self._next.get(key_id, now) > now:
            return False
        self._next[key_id] = now + self._interval
        return True
