from __future__ import annotations

from attrs import frozen

from application.catalog.ports import ContentSearch
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
    search: ContentSearch

    async def __call__(self, command: SearchCatalogCommand) -> SearchPage:
        query = SearchQuery.create(
            command.q,
            genre=command.genre,
            platform=command.platform,
            year=command.year,
            page=command.page,
            page_size=command.page_size,
        )
        return await self.search.search(query)
