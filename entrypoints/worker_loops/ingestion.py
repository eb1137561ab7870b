"""Ingestion's loop: apply platforms' accepted webhook deliveries to the catalog."""

from __future__ import annotations

import asyncio
import logging
import os
import socket

from dependency_injector.errors import Error as ContainerError
from opentelemetry.instrumentation.utils import suppress_instrumentation

from application.ingestion.process_ingested_changes import ProcessIngestedChanges, ProcessIngestedChangesCommand
from entrypoints.container import Container
from entrypoints.worker_loops._pacing import RETRY_SECONDS, pause

log = logging.getLogger(__name__)


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
        try:
            processed = await ingest_batch(process, command)
            if processed:
                log.debug("webhook deliveries processed", extra={"entries": processed})
        except Exception:
            # Entries not settled stay in the consumer group and are read (or claimed) again.
            log.exception("processing webhook deliveries failed; retrying")
            await pause(stop, RETRY_SECONDS)


LOOPS = (ingest_changes,)
