from __future__ import annotations

from datetime import timedelta

from adapters.identity.in_memory_window_counters import InMemoryWindowCounters
from application.shared.ports import Clock
from domain.identity.device_authorization import DEVICE_LIMITS_WINDOW_SECONDS
from domain.shared.errors import TooManyAttempts


class InMemoryDeviceCodeGuessGuard:
    def __init__(self, clock: Clock, *, per_ip: int, window_seconds: int = DEVICE_LIMITS_WINDOW_SECONDS) -> None:
        self._windows = InMemoryWindowCounters(clock)
        self._limit = per_ip
        self._window = timedelta(seconds=window_seconds)

    def _key(self, ip: str | None) -> str:
        return f"ip:{ip or 'unknown'}"

    async def attempt(self, ip: str | None) -> None:
        wait = self._windows.take([(self._key(ip), self._limit, self._window)])
        if wait is not None:
            raise TooManyAttempts(
                "Too many wrong codes from this address; wait and try again.",
                retry_after_seconds=wait,
                limiter="device_code",
            )

    async def matched(self, ip: str | None) -> None:
        self._windows.give_back([self._key(ip)])
