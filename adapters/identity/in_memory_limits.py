from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from application.identity.api_key_ports import RateLimitDecision
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

    def take(self, tiers: Sequence[tuple[str, int, timedelta]]) -> int | None:
        """All or nothing, as the Redis script: the seconds to wait if any counter is at its limit
        (and then none is counted), else count one on every counter and return None."""
        now = self._clock.now()
        waits = []
        for key, limit, _ in tiers:
            count, ends = self._windows.get(key, (0, now))
            if ends > now and count >= limit:
                waits.append(max(1, math.ceil((ends - now).total_seconds())))
        if waits:
            return max(waits)
        for key, _, window in tiers:
            self.hit(key, window)
        return None

    def give_back(self, keys: Sequence[str]) -> None:
        now = self._clock.now()
        for key in keys:
            entry = self._windows.get(key)
            if entry is None or entry[1] <= now or entry[0] <= 1:
                self._windows.pop(key, None)
            else:
                self._windows[key] = (entry[0] - 1, entry[1])


class InMemoryFactorAttemptGuard:
    def __init__(
        self,
        clock: Clock,
        *,
        per_account: int = 5,
        per_ip_and_account: int = 5,
        per_ip: int = 100,
        window_seconds: int = 60,
    ) -> None:
        self._windows = _Windows(clock)
        self._limits = (per_account, per_ip_and_account, per_ip)
        self._window = timedelta(seconds=window_seconds)
        self.attempts: list[UUID] = []

    def _tiers(self, user_id: UUID, ip: str | None) -> list[tuple[str, int, timedelta]]:
        """Per account always; per (address, account) and per address when the address is known."""
        per_account, per_ip_and_account, per_ip = self._limits
        tiers = [(f"user:{user_id}", per_account, self._window)]
        if ip:
            tiers.append((f"ip-user:{ip}:{user_id}", per_ip_and_account, self._window))
            tiers.append((f"ip:{ip}", per_ip, self._window))
        return tiers

    async def attempt(self, user_id: UUID, ip: str | None) -> None:
        self.attempts.append(user_id)
        wait = self._windows.take(self._tiers(user_id, ip))
        if wait is not None:
            raise TooManyAttempts("Too many two-factor attempts; wait a minute.", retry_after_seconds=wait)

    async def succeeded(self, user_id: UUID, ip: str | None) -> None:
        self._windows.give_back([key for key, _, _ in self._tiers(user_id, ip)])


class InMemoryRegistrationLimiter:
    def __init__(self, clock: Clock, *, per_ip: int, ip_window_seconds: int, per_minute: int) -> None:
        self._windows = _Windows(clock)
        self._per_ip = (per_ip, timedelta(seconds=ip_window_seconds))
        self._per_minute = per_minute

    async def admit(self, ip: str | None) -> None:
        tiers = [("registrations", self._per_minute, timedelta(minutes=1))]
        if ip:
            tiers.insert(0, (f"registrations:ip:{ip}", *self._per_ip))
        wait = self._windows.take(tiers)
        if wait is not None:
            raise TooManyAttempts("Too many registrations; try again later.", retry_after_seconds=wait)


class InMemoryApiKeyRateLimiter:
    def __init__(self, clock: Clock) -> None:
        self._windows = _Windows(clock)

    async def hit(self, key_id: UUID, limit_per_minute: int) -> RateLimitDecision:
        count, reset = self._windows.hit(str(key_id), timedelta(minutes=1))
        return RateLimitDecision.after(count, limit_per_minute, reset)


class InMemoryClientRateLimiter:
    def __init__(self, clock: Clock, *, limit: int, window_seconds: int = 60) -> None:
        self._windows = _Windows(clock)
        self._limit = limit
        self._window = timedelta(seconds=window_seconds)

    async def hit(self, client: str) -> RateLimitDecision:
        count, reset = self._windows.hit(client, self._window)
        return RateLimitDecision.after(count, self._limit, reset)


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
