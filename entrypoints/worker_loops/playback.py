"""Playback's loop: archive journalled progress changes to PostgreSQL as they arrive."""

from __future__ import annotations

import asyncio
import logging
import os
import socket

from opentelemetry.instrumentation.utils import suppress_instrumentation

from application.playback.archive_progress import ArchiveProgressChanges, ArchiveProgressChangesCommand
from entrypoints.container import Container
from entrypoints.worker_loops._pacing import RETRY_SECONDS, pause

log = logging.getLogger(__name__)
# After a short batch, let changes gather a moment: one large batch costs PostgreSQL far less
# than many small ones, and readers never wait for it (they archive their own changes).
LINGER_SECONDS = 0.25


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
        wait = 0.0
        try:
            archived = await archive_batch(archive, command)
            if archived:
                log.debug("progress archived", extra={"changes": archived})
            if 0 < archived < archive.batch_size:
                wait = LINGER_SECONDS
        except Exception:
            # The batch stays unacknowledged and comes back; nothing acknowledged is lost.
            log.exception("archiving progress failed; retrying")
            wait = RETRY_SECONDS
        if wait:
            await pause(stop, wait)


LOOPS = (archive_progress,)
