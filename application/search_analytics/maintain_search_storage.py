"""The worker's hourly upkeep of search analytics: raw partitions ready ahead of the searches,
raw data dropped after its retention, rollups deleted after theirs."""

from __future__ import annotations

from datetime import timedelta

from attrs import frozen

from application.search_analytics.rollup_ports import SearchStorage
from application.shared.ports import Clock


@frozen
class StorageMaintained:
    partitions_created: int
    partitions_dropped: int
    rollup_rows_deleted: int


@frozen
class MaintainSearchStorage:
    """Keeps today and the last ``raw_retention_days`` whole UTC days of raw searches and clicks
    (``rollup_retention_days`` of rollups), and partitions through ``partitions_ahead_days``
    after today. Running it again the same day changes nothing."""

    storage: SearchStorage
    clock: Clock
    partitions_ahead_days: int
    raw_retention_days: int
    rollup_retention_days: int

    async def __call__(self) -> StorageMaintained:
        now = self.clock.now()
        today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        # made first: searches keep landing while the rest runs
        created = await self.storage.prepare_partitions(today, today + timedelta(days=self.partitions_ahead_days))
        dropped = await self.storage.drop_raw_before(today - timedelta(days=self.raw_retention_days))
        deleted = await self.storage.delete_rollups_before(today - timedelta(days=self.rollup_retention_days))
        return StorageMaintained(created, dropped, deleted)
