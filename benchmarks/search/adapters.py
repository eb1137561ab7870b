"""The adapters behind the ContentSearch port that the benchmark can measure, by name, or any
``package.module:Class`` whose constructor takes the SQLAlchemy engine (an older version kept
outside the repository, say, for a before-and-after).

``tantivy`` is what the embedded service searches with: the live generation of the index under
the data directory (built by ``media-gateway reindex`` before it is measured), PostgreSQL only
while there is none, which the benchmark refuses to measure."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from application.catalog.ports import ContentSearch


def _postgres(engine: AsyncEngine, data_dir: Path) -> ContentSearch:
    from adapters.catalog.postgres_content_search import PostgresContentSearch

    return PostgresContentSearch(engine)


def _tantivy(engine: AsyncEngine, data_dir: Path) -> ContentSearch:
    from adapters.catalog.postgres_content_search import PostgresContentSearch
    from adapters.catalog.tantivy_index_directory import TantivyIndexDirectory
    from adapters.catalog.tantivy_live_content_search import TantivyLiveContentSearch

    directory = TantivyIndexDirectory(data_dir / "search-index")
    if directory.current() is None:
        raise SystemExit(f"no search index under {directory.root}: run media-gateway reindex first")
    return TantivyLiveContentSearch(directory, fallback=PostgresContentSearch(engine))


# keyed by MG_SEARCH_ENGINE's values (entrypoints.catalog_search_config.ENGINES): those are also measured over HTTP
ADAPTERS: dict[str, Callable[[AsyncEngine, Path], ContentSearch]] = {"postgres": _postgres, "tantivy": _tantivy}


def content_search(name: str, engine: AsyncEngine, data_dir: Path) -> ContentSearch:
    if name in ADAPTERS:
        return ADAPTERS[name](engine, data_dir)
    module, _, attribute = name.partition(":")
    if not attribute:
        raise SystemExit(f"unknown adapter {name!r}: one of {', '.join(ADAPTERS)} or package.module:Class")
    factory: Callable[[AsyncEngine], ContentSearch] = getattr(importlib.import_module(module), attribute)
    return factory(engine)
