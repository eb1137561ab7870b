"""The writer of the catalog's Tantivy index: one process upserts and removes titles and commits.

PostgreSQL stays the source of truth; this index is derived from it and can be rebuilt at any time
(``build``). Tantivy allows one writer per directory (it holds ``.tantivy-writer.lock``); any
number of readers (``TantivyContentSearch``, in this process or others) see a commit once it is
made. Writing is synchronous and CPU-bound, so the async methods run it in a worker thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable, Sequence
from itertools import islice
from pathlib import Path
from uuid import UUID

import tantivy

from adapters.catalog.tantivy_catalog_schema import SCHEMA, content_document, register_analyzers
from domain.catalog.content import Content


class CatalogIndexUnavailable(RuntimeError):
    """The catalog's index directory is missing, unreadable or not a catalog index."""


def open_index(path: Path, *, create: bool) -> tantivy.Index:
    if create:
        path.mkdir(parents=True, exist_ok=True)
    elif not path.is_dir() or not tantivy.Index.exists(str(path)):
        raise CatalogIndexUnavailable(f"No catalog search index at {path} (build it first).")
    try:
        index = tantivy.Index(SCHEMA, path=str(path), reuse=True) if create else tantivy.Index.open(str(path))
    except ValueError as error:
        raise CatalogIndexUnavailable(f"The catalog search index at {path} cannot be opened: {error}") from error
    register_analyzers(index)
    return index


class TantivyCatalogIndex:
    """Upserts (delete by id, then add unless withdrawn) and removals; each call commits once."""

    def __init__(self, path: Path, *, heap_bytes: int = 128_000_000, threads: int = 0) -> None:
        self._path = path
        self._index = open_index(path, create=True)
        try:
            self._writer = self._index.writer(heap_bytes, threads)
        except ValueError as error:  # another process holds the writer lock
            raise CatalogIndexUnavailable(
                f"The catalog search index at {path} has a writer already: {error}"
            ) from error
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self._path

    async def upsert_many(self, items: Sequence[Content]) -> int:
        """Index the titles (a withdrawn one leaves the index) and commit; return how many were given."""
        await asyncio.to_thread(self._write, items, ())
        return len(items)

    async def add_many(self, items: Sequence[Content], *, commit: bool = True) -> int:
        """Add titles new to the index (nothing is replaced); return how many were indexed. Without
        ``commit`` they are seen (and kept) from the next commit: a build commits once, at the end,
        rather than making a segment per batch for the merges to combine again."""
        return await asyncio.to_thread(self._add, items, commit)

    async def commit(self) -> None:
        await asyncio.to_thread(self._commit)

    async def remove_many(self, content_ids: Sequence[UUID]) -> None:
        await asyncio.to_thread(self._write, (), content_ids)

    def build(self, items: Iterable[Content], *, batch_size: int = 100_000) -> int:
        """Replace the whole index with ``items``, committing every ``batch_size``; return how many were indexed."""
        indexed = 0
        with self._lock:
            self._writer.delete_all_documents()
            iterator = iter(items)
            while batch := list(islice(iterator, batch_size)):
                for item in batch:
                    if not item.withdrawn:
                        self._writer.add_document(content_document(item))
                        indexed += 1
                self._writer.commit()
            self._writer.commit()
        return indexed

    def close(self) -> None:
        """Wait for background merges and release the writer lock."""
        with self._lock:
            self._writer.wait_merging_threads()

    def _add(self, items: Iterable[Content], commit: bool) -> int:
        added = 0
        with self._lock:
            for item in items:
                if not item.withdrawn:
                    self._writer.add_document(content_document(item))
                    added += 1
            if commit:
                self._writer.commit()
        return added

    def _commit(self) -> None:
        with self._lock:
            self._writer.commit()

    def _write(self, items: Iterable[Content], removed: Iterable[UUID]) -> None:
        with self._lock:
            for content_id in removed:
                self._writer.delete_documents_by_term("id", str(content_id))
            for item in items:
                self._writer.delete_documents_by_term("id", str(item.id))
                if not item.withdrawn:
                    self._writer.add_document(content_document(item))
            self._writer.commit()
