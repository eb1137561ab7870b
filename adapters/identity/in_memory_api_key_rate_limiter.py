from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from adapters.identity.in_memory_window_counters import InMemoryWindowCounters
from application.identity.api_key_ports import RateLimitDecision
from application.shared.ports import Clock


class InMemoryApiKeyRateLimiter:
    def __init__(self, clock: Clock) -> None:
        self._windows = InMemoryWindowCounters(clock)

    async def hit(self, key_id: UUID, limit_per_minute: int) -> RateLimitDecision:
        count, reset = self._windows.hit(str(key_id), timedelta(minutes=1))
        return RateLimitDecision.after(count, limit_per_minute, reset)
