from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import attrs

from domain.search_analytics.models import SearchClick, SearchEvent


@attrs.define
class InMemorySearchEventStore:
    """The raw searches and clicks in lists, with the hours marked for the next rollup."""

    events: dict[UUID, SearchEvent] = attrs.field(factory=dict)
    clicks: dict[tuple[UUID, UUID], SearchClick] = attrs.field(factory=dict)
    pending_hours: set[datetime] = attrs.field(factory=set)

    async def append(self, events: Sequence[SearchEvent]) -> None:
        for event in events:
            self.events.setdefault(event.search_id, event)
            self.pending_hours.add(event.occurred_at.replace(minute=0, second=0, microsecond=0))

    async def find(self, search_id: UUID, occurred_at: datetime) -> SearchEvent | None:
        event = self.events.get(search_id)
        return event if event is not None and event.occurred_at == occurred_at else None

    async def add_click(self, click: SearchClick) -> bool:
        key = (click.search_id, click.content_id)
        if key in self.clicks:
            return False
        self.clicks[key] = click
        self.pending_hours.add(click.search_at.replace(minute=0, second=0, microsecond=0))
        return True
