from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from domain.catalog.content import Content
from domain.catalog.search import SearchPage, SearchQuery


class ContentLookup(Protocol):
    async def get(self, content_id: UUID) -> Content | None: ...


class ContentRepository(ContentLookup, Protocol):
    async def upsert_many(self, items: Sequence[Content]) -> int:
        """Insert or replace items (with their availability); return how many were written."""

    async def count(self) -> int: ...


class ContentSearch(Protocol):
    async def search(self, query: SearchQuery) -> SearchPage:
        """Rank matches best first; tolerate typos; apply every filter; page the result."""
