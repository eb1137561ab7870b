from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from attrs import frozen

from domain.catalog.search import SearchQuery


@frozen
class CompletedSearch:
    search_id: UUID
    at: datetime
    query: SearchQuery
    total: int
    item_ids: tuple[UUID, ...]
    latency_seconds: float
    # Who searched, as an opaque key for analytics (``user:<id>``, or ``client:<address> <agent>``);
    # it is hashed with a daily salt before anything is stored.
    searcher: str | None


class SearchObserver(Protocol):
    def searched(self, search: CompletedSearch) -> None:
        """Told of every search as it is answered. Must return at once and never raise: the search
        does not wait for, or fail with, what is done with it."""


class NoSearchObserver:
    def searched(self, search: CompletedSearch) -> None:
        pass
