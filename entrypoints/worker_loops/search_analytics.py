"""Search analytics' loop: roll up the hours with new searches or clicks every
``rollup_seconds``, and keep the storage (partitions ahead, retention) once an hour and at start."""

from __future__ import annotations

import asyncio
import logging
import time

from opentelemetry import trace
from opentelemetry.instrumentation.utils import suppress_instrumentation

from entrypoints.container import Container
from entrypoints.worker_loops._pacing import pause

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
MAINTENANCE_SECONDS = 3600.0


async def search_analytics(container: Container, stop: asyncio.Event) -> None:
    analytics = container.search_analytics
    every = container.settings().search_analytics.rollup_seconds
    maintained_at: float | None = None
    while not stop.is_set():
        if maintained_at is None or time.monotonic() - maintained_at >= MAINTENANCE_SECONDS:
            try:
                with tracer.start_as_current_span("search storage maintenance"):
                    done = await analytics.maintain_search_storage()()
                maintained_at = time.monotonic()
                log.info(
                    "search storage maintained",
                    extra={
                        "partitions_created": done.partitions_created,
                        "partitions_dropped": done.partitions_dropped,
                        "rollup_rows_deleted": done.rollup_rows_deleted,
                    },
                )
            except Exception:
                log.exception("maintaining search storage failed; retrying next round")
        try:
            # Mostly nothing to do: a round that finds no hour to roll up is not traced.
            with suppress_instrumentation():
                hours = await analytics.roll_up_searches()()
            if hours:
                log.debug("searches rolled up", extra={"hours": hours})
        except Exception:
            log.exception("rolling up searches failed; retrying next round")
        await pause(stop, every)


LOOPS = (search_analytics,)
