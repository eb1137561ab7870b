from __future__ import annotations

from datetime import datetime
from typing import Protocol


class SearchRollups(Protocol):
    async def roll_up_pending(self, not_before: datetime, now: datetime) -> int:
        """Recompute the hourly (and their days') rollups of every hour marked since the last run,
        from the raw events; returns how many hours were rolled up. Re-running changes nothing.
        Hours older than ``not_before`` (raw data already dropped) are skipped, their marks cleared.
        ``now``: the moment the report's windows are prepared for, where an adapter prepares them."""


class SearchStorage(Protocol):
    async def prepare_partitions(self, since: datetime, through: datetime) -> int:
        """Create the raw tables' missing daily partitions for every UTC day from the day of
        ``since`` through the day of ``through``; returns how many were created."""

    async def drop_raw_before(self, cutoff: datetime) -> int:
        """Drop the raw partitions wholly before ``cutoff``; returns how many were dropped."""

    async def delete_rollups_before(self, cutoff: datetime) -> int:
        """Delete hourly and daily rollups older than ``cutoff``; returns how many rows went."""
