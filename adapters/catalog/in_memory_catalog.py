from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from difflib import SequenceMatcher
from uuid import UUID

from adapters.catalog.search_words import STOP_WORDS
from application.shared.ports import Clock
from domain.catalog.content import Content, ContentKind
from domain.catalog.search import SearchPage, SearchQuery

_WORD = re.compile(r"\w+")
# The tiers TantivyContentSearch scores by (see there): exact title, phrase, then per word.
_EXACT_TITLE, _PHRASE, _WORD_AS_WRITTEN, _STEMMED, _IN_SYNOPSIS, _TYPO = 1024, 512, 8, 6, 3, 2


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _stem(word: str) -> str:
    """A crude English stem ("signals" -> "signal"): enough for a twin, not Snowball."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _typo_of(word: str, candidates: Sequence[str]) -> bool:
    return len(word) >= 4 and any(SequenceMatcher(None, word, c).ratio() >= 0.75 for c in candidates)


def _contains_phrase(words: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return any(list(words[i : i + n]) == list(phrase) for i in range(len(words) - n + 1))


class InMemoryCatalog:
    """The in-memory catalog: a ContentRepository and a ContentSearch over one dict (which
    InMemoryCatalogChanges writes to as well).

    Search follows TantivyContentSearch's tiers: every query word (stop words dropped unless the
    query has nothing else) must be in the title as written, stemmed, or with a typo, or in the
    synopsis; the exact title first, then a phrase, then the words' matches; ties go to titles
    before episodes, shorter titles, newer years.
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock
        self._items: dict[UUID, Content] = {}
        # the change feed's twin: each title's latest change number, and when it changed
        self.changes: dict[UUID, tuple[int, datetime]] = {}
        self.last_change = 0

    def _changed(self, content_id: UUID) -> None:
        self.last_change += 1
        self.changes[content_id] = (self.last_change, self._clock.now() if self._clock else datetime.now(UTC))

    async def get(self, content_id: UUID) -> Content | None:
        return self._items.get(content_id)

    async def upsert_many(self, items: Sequence[Content]) -> int:
        for item in items:
            self.put(item)
        return len(items)

    async def count(self) -> int:
        return len(self._items)

    def items(self) -> list[Content]:
        return list(self._items.values())

    def put(self, item: Content) -> None:
        self._items[item.id] = item
        self._changed(item.id)

    def __contains__(self, content_id: object) -> bool:
        return content_id in self._items

    def _score(self, query: SearchQuery, item: Content) -> float | None:
        wanted = list(dict.fromkeys(_words(query.text)))
        title_words = _words(item.title)
        content_words = [w for w in wanted if w not in STOP_WORDS]
        if not wanted or (not content_words and not set(wanted) <= set(title_words)):
            return None
        title_stems = {_stem(w) for w in title_words}
        synopsis_stems = {_stem(w) for w in _words(item.synopsis)}
        score = 0.0 if content_words else float(_WORD_AS_WRITTEN * len(wanted))
        for word in content_words:
            if word in title_words:
                score += _WORD_AS_WRITTEN
            elif _stem(word) in title_stems:
                score += _STEMMED
            elif _stem(word) in synopsis_stems:
                score += _IN_SYNOPSIS
            elif _typo_of(word, title_words):
                score += _TYPO
            else:
                return None
        if title_words == wanted:
            score += _EXACT_TITLE
        if len(wanted) > 1 and _contains_phrase(title_words, wanted):
            score += _PHRASE
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
                min(len(_words(pair[1].title)), 7),
                -pair[1].release_year,
                str(pair[1].id),
            )
        )
        page = tuple(item for _, item in scored[query.offset : query.offset + query.page_size])
        return SearchPage(items=page, total=len(scored), page=query.page, page_size=query.page_size)
