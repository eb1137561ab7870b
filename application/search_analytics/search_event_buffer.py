"""Searches waiting to be written: a bounded in-process buffer between the search and the store,
so recording a search costs an append and can never slow it or fail it."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from uuid import UUID

from application.catalog.search_observer_ports import CompletedSearch


class SearchEventBuffer:
    """Catalog's ``SearchObserver``: holds at most ``limit`` searches not written yet (waiting, or
    taken and being written), oldest first; past that a new search is counted in ``dropped``
    rather than held (a stuck store must not eat the memory). Since a batch being written counts
    against the limit, a batch that fails always fits back in."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.dropped = 0
        self._waiting: deque[CompletedSearch] = deque()
        self._by_id: dict[UUID, CompletedSearch] = {}

    def searched(self, search: CompletedSearch) -> None:
        if len(self._by_id) >= self.limit:
            self.dropped += 1
            return
        self._waiting.append(search)
        self._by_id[search.search_id] = search

    def take(self, n: int) -> list[CompletedSearch]:
        """Up to ``n`` waiting searches, oldest first. They stay findable until ``written`` (or
        ``put_back``), so a click arriving while its search is being written still finds it."""
        return [self._waiting.popleft() for _ in range(min(n, len(self._waiting)))]

    def written(self, searches: Sequence[CompletedSearch]) -> None:
        """Taken searches now in the store: no longer held."""
        for search in searches:
            self._by_id.pop(search.search_id, None)

    def put_back(self, searches: Sequence[CompletedSearch]) -> None:
        """Return taken searches that could not be written to the front, in their order."""
        self._waiting.extendleft(reversed(searches))

    def find(self, search_id: UUID) -> CompletedSearch | None:
        """A search not written yet (waiting, or taken and being written)."""
        return self._by_id.get(search_id)

    def __len__(self) -> int:
        return len(self._waiting)
