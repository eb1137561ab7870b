from __future__ import annotations

import time
from collections.abc import Callable

import attrs
from attrs import frozen

from application.catalog.ports import ContentSearch
from application.catalog.search_observer_ports import CompletedSearch, SearchObserver
from application.shared.ports import Clock, SecretGenerator
from domain.catalog.search import SearchPage, SearchQuery
from domain.shared.time_ordered_ids import time_ordered_id


@frozen
class SearchCatalogCommand:
    q: str | None
    genre: str | None = None
    platform: str | None = None
    year: int | None = None
    page: int = 1
    page_size: int = 20
    # Who searched, opaque, for search analytics only (see CompletedSearch.searcher).
    searcher: str | None = None


@frozen
class SearchCatalog:
    """Withdrawn titles are not found; the platform filter and each result's availability count
    only what is offered now (inside its window). Every answer gets a time-ordered ``search_id``
    and is told to the observer (search analytics), which must not hold it up."""

    search: ContentSearch
    clock: Clock
    observer: SearchObserver
    secrets: SecretGenerator
    stopwatch: Callable[[], float] = time.perf_counter

    async def __call__(self, command: SearchCatalogCommand) -> SearchPage:
        now = self.clock.now()
        query = SearchQuery.create(
            command.q,
            genre=command.genre,
            platform=command.platform,
            year=command.year,
            page=command.page,
            page_size=command.page_size,
            at=now,
        )
        started = self.stopwatch()
        page = await self.search.search(query)
        latency = self.stopwatch() - started
        search_id = time_ordered_id(now, self.secrets.random_bytes(10))
        self.observer.searched(
            CompletedSearch(
                search_id=search_id,
                at=now,
                query=query,
                total=page.total,
                item_ids=tuple(item.id for item in page.items),
                latency_seconds=latency,
                searcher=command.searcher,
            )
        )
        return attrs.evolve(page, items=tuple(item.offered_at(now) for item in page.items), search_id=search_id)
