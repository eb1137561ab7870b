"""Configuration of catalog search: which engine answers searches, and how the worker keeps the
Tantivy index in step. Read once, at start-up.

``MG_SEARCH_ENGINE``: ``tantivy`` (the default on the embedded stack: an index under
``MG_DATA_DIR/search-index``, written by the worker, read by every API process on the machine) or
``postgres`` (the default when ``MG_DATABASE_URL`` is set: API processes on other machines than
the worker's have no index directory to read, so external mode searches PostgreSQL unless told
otherwise; set ``tantivy`` there when every API process shares the worker's machine or disk)."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from entrypoints.config_values import ConfigurationError, env_int

ENGINES = ("tantivy", "postgres")


@attrs.frozen
class CatalogSearchSettings:
    engine: str = "tantivy"
    sync_ms: int = 200  # how often the worker applies the catalog's changes to the index
    lag_warn_seconds: int = 10  # /health/aggregate warns when the oldest change not indexed is older
    cache_pages: int = 512  # pages of results each API process keeps until the index's next commit

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CatalogSearchSettings:
        default = "postgres" if env.get("MG_DATABASE_URL") else "tantivy"
        engine = (env.get("MG_SEARCH_ENGINE") or default).strip().lower()
        if engine not in ENGINES:
            raise ConfigurationError(f"MG_SEARCH_ENGINE must be one of {', '.join(ENGINES)}, got {engine!r}")
        return cls(
            engine=engine,
            sync_ms=env_int(env, "MG_SEARCH_INDEX_SYNC_MS", 200, minimum=10),
            lag_warn_seconds=env_int(env, "MG_SEARCH_INDEX_LAG_WARN_SECONDS", 10),
            cache_pages=env_int(env, "MG_SEARCH_CACHE_PAGES", 512, minimum=0),
        )
