from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from application.shared.ports import Clock


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
