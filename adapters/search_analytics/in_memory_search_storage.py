"""Upkeep of the in-memory search analytics: the "partitions" are a set of days, dropping one
forgets the searches and clicks of that day; the rollups to delete are the in-memory rollups'
rolled-up hours (what the in-memory reader reads, for every window)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs

from adapters.search_analytics.in_memory_search_event_store import InMemorySearchEventStore
from adapters.search_analytics.in_memory_search_rollups import InMemorySearchRollups


@attrs.define
class InMemorySearchStorage:
    store: InMemorySearchEventStore
    rollups: InMemorySearchRollups
    partition_days: set[date] = attrs.field(factory=set)

    async def prepare_partitions(self, since: datetime, through: datetime) -> int:
        first, last = since.date(), through.date()
        days = {first + timedelta(days=offset) for offset in range((last - first).days + 1)}
        days |= {event.occurred_at.date() for event in self.store.events.values()}  # made on demand
        created = days - self.partition_days
        self.partition_days |= created
        return 2 * len(created)  # one partition of each raw table, as on PostgreSQL

    async def drop_raw_before(self, cutoff: datetime) -> int:
        self.partition_days |= {event.occurred_at.date() for event in self.store.events.values()}
        doomed = {day for day in self.partition_days if _day_end(day) <= cutoff}
        self.partition_days -= doomed
        self.store.events = {key: e for key, e in self.store.events.items() if e.occurred_at.date() not in doomed}
        self.store.clicks = {key: c for key, c in self.store.clicks.items() if c.search_at.date() not in doomed}
        return 2 * len(doomed)

    async def delete_rollups_before(self, cutoff: datetime) -> int:
        """Returns how many rolled-up hours went (PostgreSQL counts rows: several per hour)."""
        doomed = [hour for hour in self.rollups.hours if hour + timedelta(hours=1) <= cutoff]
        for hour in doomed:
            del self.rollups.hours[hour]
        return len(doomed)


def _day_end(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
