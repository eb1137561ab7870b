"""The capture buffer's flusher: while the app serves (and analytics is on), buffered searches are
written every ``flush_seconds``, or as soon as a full batch waits; a failed write is logged and
retried (the batch stays buffered); at shutdown what is left is written before the connections close."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from quart import current_app

from application.search_analytics.flush_search_events import FlushSearchEvents
from application.search_analytics.search_event_buffer import SearchEventBuffer
from entrypoints.container import Container
from entrypoints.http.search_analytics.blueprint import search_analytics
from entrypoints.telemetry.metrics import SEARCH_EVENTS

log = logging.getLogger(__name__)

# How often the flusher looks whether a full batch waits (a length check, nothing more).
_LOOK_SECONDS = 0.05


@search_analytics.while_app_serving
async def flush_searches_while_serving() -> AsyncIterator[None]:
    container: Container = current_app.extensions["container"]
    settings = container.settings().search_analytics
    if not settings.enabled:
        yield
        return
    flusher = _Flusher(
        container.search_analytics.flush_search_events(),
        container.search_analytics.search_event_buffer(),
        settings.flush_seconds,
        settings.flush_batch,
    )
    task = asyncio.create_task(flusher.keep_flushing(), name="search-analytics-flush")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await flusher.flush_what_is_left()


class _Flusher:
    def __init__(self, flush: FlushSearchEvents, buffer: SearchEventBuffer, every: float, batch: int) -> None:
        self.flush = flush
        self.buffer = buffer
        self.every = every
        self.batch = batch
        self._dropped_counted = 0

    async def keep_flushing(self) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time() + self.every
        failing = False  # after a failure, wait the whole interval even for a full batch
        while True:
            await asyncio.sleep(min(self.every, _LOOK_SECONDS))
            if loop.time() < due and (failing or len(self.buffer) < self.batch):
                continue
            try:
                await self._flush(until_left=self.batch)
                failing = False
            except Exception:
                log.exception("search analytics: writing buffered searches failed; retrying in %ss", self.every)
                failing = True
            due = loop.time() + self.every

    async def flush_what_is_left(self) -> None:
        try:
            await self._flush(until_left=1)
        except Exception:
            log.exception("search analytics: %d buffered searches not written at shutdown", len(self.buffer))

    async def _flush(self, until_left: int) -> None:
        """One batch, then more while at least ``until_left`` searches wait: on schedule a partial
        batch waits for the next round (batches stay large), at shutdown nothing is left."""
        try:
            while True:
                SEARCH_EVENTS.labels(outcome="recorded").inc(await self.flush())
                if len(self.buffer) < until_left:
                    break
        finally:
            dropped = self.buffer.dropped
            if dropped > self._dropped_counted:
                SEARCH_EVENTS.labels(outcome="dropped").inc(dropped - self._dropped_counted)
                self._dropped_counted = dropped
