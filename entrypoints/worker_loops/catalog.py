"""The catalog's loop: keep the search index in step with the catalog. At start, and whenever the
index is missing or unreadable or was built from another catalog, rebuild it (beside the live one,
which readers keep using); then apply the feed every ``MG_SEARCH_INDEX_SYNC_MS``. Only this loop
writes the index; a second worker finds the writer lock taken and stands by, retrying."""

from __future__ import annotations

import asyncio
import logging
import time

from opentelemetry import trace
from opentelemetry.instrumentation.utils import suppress_instrumentation

from adapters.catalog.tantivy_catalog_index import CatalogIndexUnavailable
from application.catalog.search_index_ports import SearchIndexMissing
from entrypoints.container import Container
from entrypoints.worker_loops._pacing import pause

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
STANDBY_SECONDS = 5.0


class _LoggedProgress:
    """A rebuild's progress in the log, about every 10%."""

    def __init__(self) -> None:
        self._total, self._done, self._logged = 0, 0, 0

    def started(self, total: int) -> None:
        self._total = total
        log.info("rebuilding the search index", extra={"titles": total})

    def advance(self, amount: int) -> None:
        self._done += amount
        if self._total and (self._done - self._logged) * 10 >= self._total:
            self._logged = self._done
            log.info("search index rebuild progress", extra={"read": self._done, "titles": self._total})


async def _rebuild(container: Container) -> None:
    started = time.monotonic()
    with tracer.start_as_current_span("search index rebuild"):
        read = await container.catalog.rebuild_search_index()(_LoggedProgress())
    log.info("search index rebuilt", extra={"titles": read, "seconds": round(time.monotonic() - started, 2)})


async def search_index(container: Container, stop: asyncio.Event) -> None:
    settings = container.settings()
    if settings.catalog_search.engine != "tantivy":
        return
    catalog = container.catalog
    every = settings.catalog_search.sync_ms / 1000
    check = True  # at start, and when the index went missing
    try:
        while not stop.is_set():
            try:
                if check and await catalog.search_index_needs_rebuild()():
                    await _rebuild(container)
                check = False
                with suppress_instrumentation():  # mostly nothing to do: a quiet round is not traced
                    applied = await catalog.sync_search_index()()
                if applied:
                    log.debug("search index synced", extra={"titles": applied})
            except SearchIndexMissing:
                check = True
                continue  # gone since the check: rebuild at once
            except CatalogIndexUnavailable as error:
                log.warning("search index not writable here; retrying: %s", error)
                await pause(stop, STANDBY_SECONDS)
                continue
            except Exception:
                log.exception("syncing the search index failed; retrying next round")
            await pause(stop, every)
    finally:
        await container.catalog_adapters.search_index().close()


LOOPS = (search_index,)
