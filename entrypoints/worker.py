"""The background worker: every context's loops (``entrypoints/worker_loops/``: archiving progress,
sending mail, applying webhook deliveries, recommendations, search analytics), beside the
scheduled housekeeping, until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal

from opentelemetry import trace
from opentelemetry.instrumentation.utils import suppress_instrumentation

from entrypoints.config import Settings
from entrypoints.container import Container
from entrypoints.garbage_collection import settle_garbage_collection
from entrypoints.heartbeat import beating
from entrypoints.lifecycle import opened, prepare_servers
from entrypoints.telemetry.metrics import count_dropped_spans
from entrypoints.telemetry.tracing import configure_tracing
from entrypoints.worker_loops import discover_loops
from entrypoints.worker_loops._pacing import pause

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
HOUSEKEEPING_INTERVAL_SECONDS = 600


async def housekeeping(container: Container, stop: asyncio.Event, interval: float) -> None:
    while not stop.is_set():
        try:
            with tracer.start_as_current_span("worker housekeeping"):
                purged = await container.identity.purge_expired_sessions()()
                stale = await container.playback.remove_stale_progress()()
                forgotten = await container.catalog.forget_applied_changes()()
            log.info(
                "housekeeping done",
                extra={
                    "expired_sessions_purged": purged,
                    "stale_progress_removed": stale,
                    "applied_changes_forgotten": forgotten,
                },
            )
        except Exception:
            log.exception("housekeeping failed; retrying next round")
        await pause(stop, interval)


async def run_worker(settings: Settings, *, interval: float = HOUSEKEEPING_INTERVAL_SECONDS) -> None:
    tracing = configure_tracing("media-gateway-worker", count_dropped=count_dropped_spans)
    with suppress_instrumentation():  # start-up's migration queries are not a change to trace
        settings = await prepare_servers(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker started", extra={"housekeeping_interval_seconds": interval})
    try:
        async with opened(Container(settings=settings)) as container, beating(container, "worker"):
            settle_garbage_collection()
            await asyncio.gather(
                housekeeping(container, stop, interval), *(loop(container, stop) for loop in discover_loops())
            )
    finally:
        await asyncio.to_thread(tracing.shutdown)
        log.info("worker stopped")
