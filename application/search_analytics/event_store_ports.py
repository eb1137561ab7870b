from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.search_analytics.models import SearchClick, SearchEvent


class SearchEventStore(Protocol):
    """The raw searches and clicks (kept for the raw retention), and which hours they changed."""

    async def append(self, events: Sequence[SearchEvent]) -> None:
        """Store a batch of searches, and mark their hours for the next rollup. An event whose
        ``search_id`` is already stored is ignored (a retried batch counts once)."""

    async def find(self, search_id: UUID, occurred_at: datetime) -> SearchEvent | None:
        """The stored search, looked up by its id and the moment its id carries."""

    async def add_click(self, click: SearchClick) -> bool:
        """Count a click; False (and nothing changes) when this title was already clicked for
        this search. Marks the search's hour for the next rollup."""
