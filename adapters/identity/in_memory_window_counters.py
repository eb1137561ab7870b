from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from application.shared.ports import Clock


class InMemoryWindowCounters:
    """Fixed-window counters in a dict, on the injected clock: the in-memory limiters' shared core."""

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
