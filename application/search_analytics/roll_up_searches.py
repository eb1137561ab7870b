"""What the worker runs every ``MG_SEARCH_ROLLUP_SECONDS``: roll up the hours that changed."""

from __future__ import annotations

from datetime import timedelta

from attrs import frozen

from application.search_analytics.rollup_ports import SearchRollups
from application.shared.ports import Clock


@frozen
class RollUpSearches:
    rollups: SearchRollups
    clock: Clock
    raw_retention_days: int

    async def __call__(self) -> int:
        """Roll up every pending hour; returns how many hours were rolled up."""
        # Raw partitions go a whole UTC day at a time, so from the midnight of the retention's
        # cutoff every hour still has all its searches (and its day's earlier ones, for viewers).
        now = self.clock.now()
        cutoff = now - timedelta(days=self.raw_retention_days)
        not_before = cutoff.replace(hour=0, minute=0, second=0, microsecond=0)
        return await self.rollups.roll_up_pending(not_before, now)
