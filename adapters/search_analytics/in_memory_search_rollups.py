"""The rollups' in-memory twin: rolling up an hour keeps a copy of its raw searches and clicks as
they are now, which is all the in-memory reader sees (so, as on PostgreSQL, what lands after a
rollup shows only after the next one)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs

from adapters.search_analytics.in_memory_search_event_store import InMemorySearchEventStore
from domain.search_analytics.models import SearchClick, SearchEvent

_HOUR = timedelta(hours=1)


@attrs.frozen
class RolledHour:
    events: tuple[SearchEvent, ...]
    clicks: tuple[SearchClick, ...]


@attrs.define
class InMemorySearchRollups:
    store: InMemorySearchEventStore
    hours: dict[datetime, RolledHour] = attrs.field(factory=dict)

    async def roll_up_pending(self, not_before: datetime, now: datetime) -> int:
        pending = {hour.astimezone(UTC) for hour in self.store.pending_hours if hour >= not_before}
        self.store.pending_hours.clear()
        # as on PostgreSQL, a day's later hours already rolled up are rolled up again with it
        for hour in list(pending):
            pending |= {later for later in self.hours if later > hour and later.date() == hour.date()}
        for hour in pending:
            events = tuple(e for e in self.store.events.values() if hour <= e.occurred_at < hour + _HOUR)
            ids = {event.search_id for event in events}
            clicks = tuple(c for c in self.store.clicks.values() if c.search_id in ids)
            self.hours[hour] = RolledHour(events=events, clicks=clicks)
        return len(pending)
