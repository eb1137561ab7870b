from __future__ import annotations

import asyncio

from application.catalog.search_observer_ports import CompletedSearch
from application.search_analytics.event_store_ports import SearchEventStore
from application.search_analytics.search_event_buffer import SearchEventBuffer
from application.search_analytics.viewer_hash_ports import ViewerHasher
from domain.search_analytics.models import NO_PLATFORM, SearchEvent, utc_day
from domain.search_analytics.queries import mask_personal_data, normalise_query, query_key
from domain.shared.time_ordered_ids import moment_of

# Who searched when no one is known: anonymous searches are counted too, as one viewer a day
# (after hashing, like everyone else).
ANONYMOUS = "anonymous"
# Folding, masking and hashing cost ~15-30 us a search: a full batch built in one go would hold
# the event loop (and the searches waiting on it) for 15 ms or more, so the flush lets them in
# every so often (about every half millisecond).
_EVENTS_PER_TURN = 25


class FlushSearchEvents:
    """Write up to ``batch`` buffered searches to the store as events: the query folded and masked,
    the searcher only as the day's keyed hash. A batch that cannot be written goes back to the
    front of the buffer and the error propagates (the caller retries later): nothing is lost to
    a transient failure. One flush at a time, so a click waiting for its search sees it written."""

    def __init__(self, buffer: SearchEventBuffer, store: SearchEventStore, hasher: ViewerHasher, batch: int) -> None:
        self.buffer = buffer
        self.store = store
        self.hasher = hasher
        self.batch = batch
        self._one_at_a_time = asyncio.Lock()

    async def __call__(self) -> int:
        async with self._one_at_a_time:
            searches = self.buffer.take(self.batch)
            if not searches:
                return 0
            try:
                events = []
                for n, search in enumerate(searches, 1):
                    events.append(await self._event(search))
                    if n % _EVENTS_PER_TURN == 0:
                        await asyncio.sleep(0)
                await self.store.append(events)
            except BaseException:  # cancelled at shutdown too: the batch stays for the last flush
                self.buffer.put_back(searches)
                raise
            self.buffer.written(searches)
            return len(searches)

    async def _event(self, search: CompletedSearch) -> SearchEvent:
        # exactly the moment the id carries: a click finds its search by id and that moment
        occurred_at = moment_of(search.search_id) or search.at
        query = mask_personal_data(normalise_query(search.query.text))
        return SearchEvent(
            search_id=search.search_id,
            occurred_at=occurred_at,
            query=query,
            query_key=query_key(query),
            platform=search.query.platform or NO_PLATFORM,
            genre=search.query.genre,
            year=search.query.year,
            page=search.query.page,
            page_size=search.query.page_size,
            result_count=search.total,
            latency_ms=search.latency_seconds * 1000,
            viewer=await self.hasher.hash(search.searcher or ANONYMOUS, utc_day(occurred_at)),
            result_ids=search.item_ids,
        )
