"""The background worker: archives journalled progress changes to PostgreSQL as they arrive,
sends queued mail, applies platforms' webhook deliveries to the catalog, and runs the scheduled
housekeeping."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket

from dependency_injector.errors import Error as ContainerError
from opentelemetry import trace
from opentelemetry.instrumentation.utils import suppress_instrumentation

from application.identity.deliver_queued_mail import DeliverQueuedMail
from application.ingestion.process_ingested_changes import ProcessIngestedChanges, ProcessIngestedChangesCommand
from application.playback.archive_progress import ArchiveProgressChanges, ArchiveProgressChangesCommand
from entrypoints.config import Settings
from entrypoints.container import Container
from entrypoints.heartbeat import beating
from entrypoints.lifecycle import opened, prepare_servers
from entrypoints.telemetry.metrics import count_dropped_spans
from entrypoints.telemetry.tracing import configure_tracing

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
HOUSEKEEPING_INTERVAL_SECONDS = 600
RETRY_SECONDS = 1.0
# After a short batch, let changes gather a moment: one large batch costs PostgreSQL far less
# than many small ones, and readers never wait for it (they archive their own changes).
LINGER_SECONDS = 0.25
MAIL_POLL_SECONDS = 1.0
REFRESH_SECONDS = 0.25  # a completion reaches the viewer's vector within about a second


async def archive_batch(archive: ArchiveProgressChanges, command: ArchiveProgressChangesCommand) -> int:
    """Archive the next batch with instrumentation suppressed, so that waiting for changes (an
    XREADGROUP every second, mostly empty) is not traced as a root span of its own; archiving a
    batch is traced, in a span that continues its producers' traces and turns it on again."""
    with suppress_instrumentation():
        return await archive(command)


async def archive_progress(container: Container, stop: asyncio.Event) -> None:
    archive = container.playback.archive_progress_changes()
    command = ArchiveProgressChangesCommand(consumer=f"{socket.gethostname()}-{os.getpid()}", wait_seconds=1.0)
    while not stop.is_set():
        pause = 0.0
        try:
            archived = await archive_batch(archive, command)
            if archived:
                log.debug("progress archived", extra={"changes": archived})
            if 0 < archived < archive.batch_size:
                pause = LINGER_SECONDS
        except Exception:
            # The batch stays unacknowledged and comes back; nothing acknowledged is lost.
            log.exception("archiving progress failed; retrying")
            pause = RETRY_SECONDS
        if pause:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)


async def deliver_batch(deliver: DeliverQueuedMail) -> int:
    """Send the next batch of queued mail. Looking for it is not traced (that would be a root
    span with a query in it every second); sending a batch is, in a span the use case opens."""
    with suppress_instrumentation():
        return await deliver()


async def deliver_mail(container: Container, stop: asyncio.Event, poll_seconds: float = MAIL_POLL_SECONDS) -> None:
    """Send queued mail: look again at once after a full batch, else after ``poll_seconds``."""
    deliver = container.identity_mail.deliver_queued_mail()
    while not stop.is_set():
        pause = poll_seconds
        try:
            claimed = await deliver_batch(deliver)
            if claimed:
                log.debug("mail delivered", extra={"messages": claimed})
            if claimed >= deliver.batch_size:
                pause = 0
        except Exception:
            # Claimed mail stays leased and comes due again; nothing queued is lost.
            log.exception("delivering mail failed; retrying")
            pause = RETRY_SECONDS
        if pause:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)


async def ingest_batch(process: ProcessIngestedChanges, command: ProcessIngestedChangesCommand) -> int:
    """Apply the next batch of webhook deliveries; waiting for one is not traced (like archiving)."""
    with suppress_instrumentation():
        return await process(command)


async def ingest_changes(container: Container, stop: asyncio.Event) -> None:
    """Apply accepted webhook deliveries to the catalog as they arrive."""
    try:
        process = container.ingestion_processing.process_ingested_changes()
    except ContainerError:
        # The catalog's ApplyCatalogChange is not given to ingestion: nothing can be applied.
        log.warning("webhook ingestion not wired to the catalog; not consuming the stream")
        return
    command = ProcessIngestedChangesCommand(consumer=f"{socket.gethostname()}-{os.getpid()}", wait_seconds=1.0)
    while not stop.is_set():
        pause = 0.0
        try:
            processed = await ingest_batch(process, command)
            if processed:
                log.debug("webhook deliveries processed", extra={"entries": processed})
        except Exception:
            # Entries not settled stay in the consumer group and are read (or claimed) again.
            log.exception("processing webhook deliveries failed; retrying")
            pause = RETRY_SECONDS
        if pause:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)


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
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)


async def recommendations(container: Container, stop: asyncio.Event) -> None:
    """Retrain when due (every retrain_check_seconds) and, beside it so a long training never
    holds it up, refresh the vectors of viewers whose history changed (every REFRESH_SECONDS)."""
    training = container.recommendation_training
    check_seconds = container.settings().recommendations.retrain_check_seconds

    async def retrain() -> None:
        retrain_when_due = training.retrain_when_due()
        while not stop.is_set():
            try:
                trained = await retrain_when_due()
                if trained is not None:
                    log.info("recommendation model trained", extra={"version": trained.version})
            except Exception:
                log.exception("retraining recommendations failed; trying again at the next check")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), check_seconds)

    async def refresh() -> None:
        refresh_changed = training.refresh_changed_viewers()
        while not stop.is_set():
            pause = REFRESH_SECONDS
            try:
                with suppress_instrumentation():
                    refreshed = await refresh_changed()
                if refreshed:
                    log.debug("viewers refreshed", extra={"viewers": refreshed})
            except Exception:
                log.exception("refreshing viewers failed; retrying")
                pause = RETRY_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)

    await asyncio.gather(retrain(), refresh())


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
            await asyncio.gather(
                archive_progress(container, stop),
                housekeeping(container, stop, interval),
                deliver_mail(container, stop),
                ingest_changes(container, stop),
                recommendations(container, stop),
            )
    finally:
        await asyncio.to_thread(tracing.shutdown)
        log.info("worker stopped")
