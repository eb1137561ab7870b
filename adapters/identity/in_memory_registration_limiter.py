from __future__ import annotations

from datetime import timedelta

from adapters.identity.in_memory_window_counters import InMemoryWindowCounters
from application.shared.ports import Clock
from domain.shared.errors import TooManyAttempts


class InMemoryRegistrationLimiter:
    def __init__(self, clock: Clock, *, per_ip: int, ip_window_seconds: int, per_minute: int) -> None:
        self._windows = InMemoryWindowCounters(clock)
        self._per_ip = (per_ip, timedelta(seconds=ip_window_seconds))
        self._per_minute = per_minute

    async def admit(self, ip: str | None) -> None:
        tiers = [("registrations", self._per_minute, timedelta(minutes=1))]
        if ip:
            tiers.insert(0, (f"registrations:ip:{ip}", *self._per_ip))
        wait = self._windows.take(tiers)
        if wait is not None:
            raise TooManyAttempts(
                "Too many registrations; try again later.", retry_after_seconds=wait, limiter="registration"
            )
