"""ContentSearch over the live generation of the catalog's Tantivy index, and over the fallback
(PostgreSQL) while there is none: an API process started before the worker built the index, or
whose index went missing or bad, keeps answering searches.

Each search checks ``current`` (a stat): a newly published generation is opened for the next
search, and the index appearing ends the fallback without a restart."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from adapters.catalog.tantivy_catalog_index import CatalogIndexUnavailable
from adapters.catalog.tantivy_content_search import TantivyContentSearch
from adapters.catalog.tantivy_index_directory import CURRENT, TantivyIndexDirectory
from application.catalog.ports import ContentSearch
from domain.catalog.search import SearchPage, SearchQuery

log = logging.getLogger(__name__)


class TantivyLiveContentSearch:
    def __init__(self, directory: TantivyIndexDirectory, fallback: ContentSearch, *, cache_pages: int = 0) -> None:
        self._directory = directory
        self._fallback = fallback
        self._cache_pages = cache_pages
        self._signature: tuple[int, int] | None = None
        self._reader: TantivyContentSearch | None = None
        self._generation: Path | None = None

    @property
    def using_index(self) -> bool:
        return self._reader is not None

    async def search(self, query: SearchQuery) -> SearchPage:
        reader = self._current_reader()
        if reader is not None:
            try:
                return await reader.search(query)
            except CatalogIndexUnavailable:
                log.warning("the catalog search index failed; searching PostgreSQL", exc_info=True)
                self._reader, self._signature = None, None
        return await self._fallback.search(query)

    def _current_reader(self) -> TantivyContentSearch | None:
        try:
            stat = os.stat(self._directory.root / CURRENT)
            signature = (stat.st_ino, stat.st_mtime_ns)
        except OSError:
            signature = None
        if signature is not None and signature == self._signature:
            return self._reader
        self._signature, self._reader = signature, None
        generation = self._directory.current() if signature is not None else None
        if generation is not None:
            try:
                self._reader = TantivyContentSearch(generation, cache_pages=self._cache_pages)
            except CatalogIndexUnavailable:
                log.warning("the catalog search index at %s cannot be opened; searching PostgreSQL", generation)
        generation = generation if self._reader else None
        if generation != self._generation:
            log.info("catalog search now reads %s", generation or "PostgreSQL (no search index yet)")
            self._generation = generation
        return self._reader
