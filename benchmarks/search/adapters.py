"""The adapters behind the ContentSearch port that the benchmark can measure, by name, or any
``package.module:Class`` whose constructor takes the SQLAlchemy engine (an older version kept
outside the repository, say, for a before-and-after)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from application.catalog.ports import ContentSearch


def _postgres(engine: AsyncEngine) -> ContentSearch:
    from adapters.catalog.postgres_content_search import PostgresContentSearch

    return PostgresContentSearch(engine)


ADAPTERS: dict[str, Callable[[AsyncEngine], ContentSearch]] = {"postgres": _postgres}


def content_search(name: str, engine: AsyncEngine) -> ContentSearch:
    if name in ADAPTERS:
        return ADAPTERS[name](engine)
    module, _, attribute = name.partition(":")
    if not attribute:
        raise SystemExit(f"unknown adapter {name!r}: one of {', '.join(ADAPTERS)} or package.module:Class")
    factory: Callable[[AsyncEngine], ContentSearch] = getattr(importlib.import_module(module), attribute)
    return factory(engine)
