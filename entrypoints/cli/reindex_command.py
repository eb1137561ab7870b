"""``media-gateway reindex``: rebuild the catalog's search index from PostgreSQL, with a progress bar.

Beside a running worker: the command builds a new generation of the index (a directory of its own,
so the worker's writer lock is not in the way) and publishes it once complete; readers switch to
it at their next search, and the worker lets go of the old one and applies, from the new index's
mark, what changed while it was built."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from entrypoints.config import Settings
from entrypoints.container import Container
from entrypoints.garbage_collection import settle_garbage_collection
from entrypoints.lifecycle import opened, prepare_servers


class RichRebuildProgress:
    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def started(self, total: int) -> None:
        self._task = self._progress.add_task("indexing titles", total=total)

    def advance(self, amount: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)


async def reindex_command(settings: Settings, console: Console | None = None) -> int:
    console = console or Console()
    if settings.catalog_search.engine != "tantivy":
        print("MG_SEARCH_ENGINE is postgres: there is no search index to rebuild", file=sys.stderr)
        return 1
    settings = await prepare_servers(settings)
    async with opened(Container(settings=settings)) as container:
        settle_garbage_collection()
        started = time.monotonic()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console) as bars:
            read = await container.catalog.rebuild_search_index()(RichRebuildProgress(bars))
        await container.catalog_adapters.search_index().close()
    console.print(
        f"search index rebuilt: {read:,} titles in {time.monotonic() - started:.1f} s at {settings.search_index_dir}"
    )
    return 0
