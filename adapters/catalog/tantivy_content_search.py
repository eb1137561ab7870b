"""ContentSearch over the catalog's Tantivy index (written by ``TantivyCatalogIndex``).

A reader: any number of processes may open the same directory. Before each search it compares
``meta.json`` (which Tantivy replaces atomically on every commit) with what it last loaded and
reloads when it changed, so a commit made anywhere is seen by the next search.

Ranking. Every query word must match the title (as written, stemmed, or within an edit distance:
1 from four letters, 2 from eight) or the synopsis (stemmed); stop words are dropped unless the
query has nothing else. Typos are tried at first only for the words no title holds, and for every
word when that finds less than a page (as PostgreSQL's trigram fallback).

The score is built from constant scores so that it orders in tiers: the exact title (1024) > the
query as a phrase in the title (512) > per word, its best match: the word in the title (8) >
stemmed in the title (6) > stemmed in the synopsis (3) > a typo in the title (2). The search
multiplies that integer by a factor just above 1 read from each document's ``order_weight`` fast
field (Tantivy's ``weight_by_field``), small enough never to lift a title into the next tier:
within a tier, titles before episodes, shorter titles, newer release years; the catalog holds no
popularity, so this is where it would go. The tiers must stay under 2048 for that, which is why
the word count that scores is capped at 32 (every word still has to match).
(The tie-break was once twelve ``Should`` clauses, one per bit: each walks a posting list of half
the catalog, which made them 95% of a query's time at a million titles.)
"""

from __future__ import annotations

import asyncio
import math
import os
import threading
from collections.abc import Collection, Hashable
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import tantivy

from adapters.catalog.jsonl_catalog_file import content_from_json
from adapters.catalog.search_words import STOP_WORDS
from adapters.catalog.tantivy_catalog_index import CatalogIndexUnavailable, open_index
from adapters.catalog.tantivy_catalog_schema import (
    SCHEMA,
    STEMMED_ANALYZER,
    WORDS_ANALYZER,
    cells_at,
    folded,
)
from adapters.catalog.tantivy_searcher_cache import SearcherCache
from domain.catalog.content import Content
from domain.catalog.search import SearchPage, SearchQuery

EXACT_TITLE = 1024.0
PHRASE = 512.0
WORD = 8.0
STEMMED_WORD = 6.0
SYNOPSIS_WORD = 3.0
TYPO = 2.0
MAX_SCORED_WORDS = 32

Clause = tuple[tantivy.Occur, tantivy.Query]


def _const(query: tantivy.Query, score: float) -> tantivy.Query:
    return tantivy.Query.const_score_query(query, score)


def _term(field: str, value: object) -> tantivy.Query:
    return tantivy.Query.term_query(SCHEMA, field, value)


def _distance(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def _word_match(word: str, *, typos: bool) -> tantivy.Query:
    """The best of the ways one query word may match a title."""
    ways = [_const(_term("title", word), WORD)]
    for stem in STEMMED_ANALYZER.analyze(word):
        ways.append(_const(_term("title_stemmed", stem), STEMMED_WORD))
        ways.append(_const(_term("synopsis", stem), SYNOPSIS_WORD))
    if typos and (distance := _distance(word)):
        fuzzy = tantivy.Query.fuzzy_term_query(SCHEMA, "title", word, distance, True)
        ways.append(_const(fuzzy, TYPO))
    return tantivy.Query.disjunction_max_query(ways)


def _filters(query: SearchQuery) -> list[tantivy.Query]:
    filters = []
    if query.genre is not None:
        filters.append(_term("genre", query.genre))
    if query.year is not None:
        filters.append(_term("year", query.year))
    if query.platform is not None:
        moment = query.at or datetime.now(UTC)
        filters.append(tantivy.Query.term_set_query(SCHEMA, "offered", cells_at(query.platform, moment)))
    return filters


def query_words(query: SearchQuery) -> list[str]:
    return list(dict.fromkeys(WORDS_ANALYZER.analyze(query.text)))


def typo_words(words: list[str]) -> list[str]:
    """The words that may also match a title by a typo: content words of four letters or more."""
    return [w for w in words if w not in STOP_WORDS and _distance(w)]


def build_query(query: SearchQuery, words: list[str], typos: Collection[str]) -> tantivy.Query:
    """The Tantivy query for a search's ``query_words`` (at least one); ``typos``: the words that
    may also match by a typo."""
    content_words = [w for w in words if w not in STOP_WORDS]
    matches = [_word_match(w, typos=w in typos) for w in content_words]
    clauses: list[Clause] = [(tantivy.Occur.Must, match) for match in matches[:MAX_SCORED_WORDS]]
    clauses += [(tantivy.Occur.Must, _const(match, 0.0)) for match in matches[MAX_SCORED_WORDS:]]
    if not content_words:  # "the", "it": only stop words, matched in titles
        clauses += [(tantivy.Occur.Must, _const(_term("title", w), WORD)) for w in words[:MAX_SCORED_WORDS]]
    clauses.append((tantivy.Occur.Should, _const(_term("title_exact", folded(query.text)), EXACT_TITLE)))
    if len(words) > 1:
        phrase = tantivy.Query.phrase_query(SCHEMA, "title", list(words), 0)
        clauses.append((tantivy.Occur.Should, _const(phrase, PHRASE)))
    clauses += [(tantivy.Occur.Must, _const(f, 0.0)) for f in _filters(query)]
    return tantivy.Query.boolean_query(clauses)


def cache_key(query: SearchQuery) -> Hashable:
    """Everything a page of results depends on; the moment only to the second, and only with a platform."""
    moment = math.floor((query.at or datetime.now(UTC)).timestamp()) if query.platform is not None else None
    return folded(query.text), query.genre, query.year, query.platform, moment, query.offset, query.page_size


def _decoded(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> Content:
    return content_from_json(msgspec.json.decode(searcher.doc(address)["content"][0]))


class TantivyContentSearch:
    """``cache_pages``: how many pages each searcher remembers (tantivy_searcher_cache); 0, none."""

    def __init__(self, path: Path, *, cache_pages: int = 0) -> None:
        self._path = path
        self._index = open_index(path, create=False)
        self._index.config_reader("manual")
        self._loaded = self._meta_signature()
        self._lock = threading.Lock()
        self._cache_pages = cache_pages
        # a searcher is a snapshot of the loaded commit: made again, with a new cache, only when
        # the index is reloaded
        self._current = (self._index.searcher(), SearcherCache(cache_pages))

    async def search(self, query: SearchQuery) -> SearchPage:
        current = self._unless_reload_due()
        if current is None:  # reloading opens the new segments: not on the event loop
            return await asyncio.to_thread(self.search_now, query)
        searcher, cache = current
        key = cache_key(query)
        page = cache.page(key)
        if page is None:
            # Tantivy releases the GIL while it searches: a thread keeps the event loop free.
            page = await asyncio.to_thread(self._answered, searcher, cache, query, key)
        return page

    def search_now(self, query: SearchQuery) -> SearchPage:
        """The same search, in the calling thread."""
        searcher, cache = self._snapshot()
        key = cache_key(query)
        page = cache.page(key)
        return self._answered(searcher, cache, query, key) if page is None else page

    def _answered(
        self, searcher: tantivy.Searcher, cache: SearcherCache, query: SearchQuery, key: Hashable
    ) -> SearchPage:
        """Answered by the index, and kept for the next time."""
        page = self._answer(searcher, cache, query)
        cache.keep(key, page)
        return page

    def _answer(self, searcher: tantivy.Searcher, cache: SearcherCache, query: SearchQuery) -> SearchPage:
        words = query_words(query)
        if not words:
            return SearchPage(items=(), total=0, page=query.page, page_size=query.page_size)
        try:
            # Typos first only for the words no title holds (fuzzy matching is a fifth of a query's
            # time at a million titles); all of them again when that finds less than a page, as
            # PostgreSQL's trigram fallback does ("start wars" → Star Wars).
            typos = typo_words(words)
            unknown = {w for w in typos if searcher.doc_freq("title", w) == 0}
            result = self._run(searcher, build_query(query, words, unknown), query)
            if len(unknown) < len(typos) and result.count < query.page_size:  # type: ignore[attr-defined]
                result = self._run(searcher, build_query(query, words, typos), query)
            items = tuple(
                cache.document((address.segment_ord, address.doc), lambda address=address: _decoded(searcher, address))
                for _, address in result.hits
            )
            total: int = result.count  # type: ignore[attr-defined]  # exact; missing from tantivy 0.27's stub
        except ValueError as error:
            raise CatalogIndexUnavailable(f"The catalog search index at {self._path} failed: {error}") from error
        return SearchPage(items=items, total=total, page=query.page, page_size=query.page_size)

    @staticmethod
    def _run(searcher: tantivy.Searcher, tantivy_query: tantivy.Query, query: SearchQuery) -> tantivy.SearchResult:
        return searcher.search(
            tantivy_query, limit=query.page_size, count=True, offset=query.offset, weight_by_field="order_weight"
        )

    def _meta_signature(self) -> tuple[int, int, int]:
        try:
            meta = os.stat(self._path / "meta.json")
        except OSError as error:
            raise CatalogIndexUnavailable(f"The catalog search index at {self._path} is gone: {error}") from error
        return meta.st_ino, meta.st_mtime_ns, meta.st_size

    def _unless_reload_due(self) -> tuple[tantivy.Searcher, SearcherCache] | None:
        with self._lock:
            return self._current if self._meta_signature() == self._loaded else None

    def _snapshot(self) -> tuple[tantivy.Searcher, SearcherCache]:
        with self._lock:
            current = self._meta_signature()
            if current != self._loaded:
                try:
                    self._index.reload()
                except ValueError:
                    try:  # a merge may have removed a segment between reading meta.json and opening it
                        self._index.reload()
                    except ValueError as error:
                        raise CatalogIndexUnavailable(
                            f"The catalog search index at {self._path} cannot be reloaded: {error}"
                        ) from error
                self._loaded = current
                self._current = (self._index.searcher(), SearcherCache(self._cache_pages))
            return self._current
