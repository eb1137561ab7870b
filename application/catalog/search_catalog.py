from __future__ import annotations

import attrs
from attrs import frozen

from application.catalog.ports import ContentSearch
from application.shared.ports import Clock
from domain.catalog.search import SearchPage, SearchQuery


@frozen
class SearchCatalogCommand:
    q: str | None
    genre: str | None = None
    platform: str | None = None
    year: int | None = None
    page: int = 1
    page_size: int = 20


@frozen
class SearchCatalog:
    """Withdrawn titles are not found; the platform filter and each result's availability count
    only what is offered now (inside its window)."""

    search: ContentSearch
    clock: Clock

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
        page = await self.search.search(query)
        return attrs.evolve(page, items=tuple(item.offered_at(now) for item in page.items))
