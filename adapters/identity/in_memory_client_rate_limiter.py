from __future__ import annotations

from datetime import timedelta

from adapters.identity.in_memory_window_counters import InMemoryWindowCounters
from application.identity.api_key_ports import RateLimitDecision
from application.shared.ports import Clock


class InMemoryClientRateLimiter:
    def __init__(self, clock: Clock, *, limit: int, window_seconds: int = 60) -> None:
        self._windows = InMemoryWindowCounters(clock)
        self._limit = limit
        self._window = timedelta(seconds=window_seconds)

    async def hit(self, client: str) -> RateLimitDecision:
        count, reset = self._windows.hit(client, self._window)
        return RateLimitDecision.after(count, self._limit, reset)
