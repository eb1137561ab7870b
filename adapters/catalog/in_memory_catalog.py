from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from difflib import SequenceMatcher
from uuid import UUID

from domain.catalog.content import Content, ContentKind
from domain.catalog.search import SearchPage, SearchQuery

_WORD = re.compile(r"\w+")
_STOP_WORDS = frozenset({"a", "an", "and", "in", "of", "on", "the", "to"})


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP_WORDS]


def _close(word: str, candidates: Sequence[str]) -> float:
    return max((SequenceMatcher(None, word, c).ratio() for c in candidates), default=0.0)


class InMemoryCatalog:
    """The in-memory catalog: a ContentRepository and a ContentSearch over one dict (which
    InMemoryCatalogChanges writes to as well).

    Search approximates the Postgres adapter: every query word must match a title word closely
    (typos allowed) or appear in the synopsis; exact titles first, then closeness.
    """

    def __init__(self) -> None:
        self._items: dict[UUID, Content] = {}

    async def get(self, content_id: UUID) -> Content | None:
        return self._items.get(content_id)

    async def upsert_many(self, items: Sequence[Content]) -> int:
        for item in items:
            self._items[item.id] = item
        return len(items)

    async def count(self) -> int:
        return len(self._items)

    def items(self) -> list[Content]:
        return list(self._items.values())

    def put(self, item: Content) -> None:
        self._items[item.id] = item

    def __contains__(self, content_id: object) -> bool:
        return content_id in self._items

    def _score(self, query: SearchQuery, item: Content) -> float | None:
        title = item.title.lower()
        wanted = _words(query.text) or query.text.lower().split()
        title_words = _words(title)
        synopsis_words = set(_words(item.synopsis))
        score = 0.0
        for word in wanted:
            closeness = _close(word, title_words)
            if closeness >= 0.75:
                score += closeness * 2
            elif word in synopsis_words or word.rstrip("s") in synopsis_words:
                score += 0.5
            else:
                return None
        if title == query.text.lower():
            score += 100
        return score

    def _passes_filters(self, query: SearchQuery, item: Content) -> bool:
        if item.withdrawn:
            return False
        if query.genre is not None and query.genre not in item.genres:
            return False
        at = query.at or datetime.now(UTC)
        if query.platform is not None and query.platform not in item.offered_at(at).platforms:
            return False
        return query.year is None or item.release_year == query.year

    async def search(self, query: SearchQuery) -> SearchPage:
        scored = []
        for item in self._items.values():
            if not self._passes_filters(query, item):
                continue
            score = self._score(query, item)
            if score is not None:
                scored.append((score, item))
        scored.sort(
            key=lambda pair: (
                -pair[0],
                pair[1].kind is ContentKind.EPISODE,
                -pair[1].release_year,
                str(pair[1].id),
            )
        )
        page = tuple(item for _, item in scored[query.offset : query.offset + query.page_size])
        return SearchPage(items=page, total=len(scored), page=query.page, page_size=query.page_size)
