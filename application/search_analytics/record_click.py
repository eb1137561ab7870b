from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from uuid import UUID

from attrs import frozen

from application.search_analytics.event_store_ports import SearchEventStore
from application.search_analytics.flush_search_events import FlushSearchEvents
from application.search_analytics.search_event_buffer import SearchEventBuffer
from application.shared.ports import Clock
from domain.search_analytics.errors import InvalidClick
from domain.search_analytics.models import SearchClick, SearchEvent
from domain.shared.time_ordered_ids import moment_of

# How far ahead of our clock a search id may be (another process's clock, a little fast).
CLOCK_SKEW = timedelta(seconds=5)


@frozen
class RecordClickCommand:
    search_id: str
    content_id: str
    position: int  # the title's 1-based rank among all the search's results


@frozen
class RecordClick:
    """Count a viewer opening a search result. The search must be recent (``window_hours``) and
    known (still buffered here, or stored), and the title must have been on its page at that
    position. True when counted, False when this title was already clicked for this search."""

    store: SearchEventStore
    buffer: SearchEventBuffer
    flush: FlushSearchEvents
    clock: Clock
    window_hours: float
    flush_seconds: float
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def __call__(self, command: RecordClickCommand) -> bool:
        search_id = _uuid(command.search_id, "The search id is not one this service gave.")
        content_id = _uuid(command.content_id, "The content id is not a title's id.")
        moment = moment_of(search_id)
        if moment is None:
            raise InvalidClick("The search id is not one this service gave.", field="search_id")
        now = self.clock.now()
        if moment > now + CLOCK_SKEW or now - moment > timedelta(hours=self.window_hours):
            raise InvalidClick(
                f"Clicks are counted only within {self.window_hours:g} hours of the search.", field="search_id"
            )
        event = await self._search(search_id, moment, now)
        position = event.position_of(content_id)
        if position is None:
            raise InvalidClick("This title was not on that search's page.", field="content_id")
        if position != command.position:
            raise InvalidClick(f"This title was at position {position} of that search.", field="position")
        return await self.store.add_click(SearchClick(search_id, moment, content_id, position, now))

    async def _search(self, search_id: UUID, moment: datetime, now: datetime) -> SearchEvent:
        buffered = self.buffer.find(search_id) is not None
        # A search still buffered here is written first: the click is stored after its search.
        while self.buffer.find(search_id) is not None and await self.flush():
            pass
        event = await self.store.find(search_id, moment)
        young = now - moment < timedelta(seconds=3 * self.flush_seconds)
        if event is None and not buffered and young:
            # made by another process whose buffer has not been written yet
            await self.sleep(self.flush_seconds)
            event = await self.store.find(search_id, moment)
        if event is None:
            raise InvalidClick("No recent search has this id.", field="search_id")
        return event


def _uuid(raw: str, detail: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise InvalidClick(detail) from None
