"""The background worker: scheduled housekeeping now; queue consumers join it later."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from entrypoints.bootstrap import prepare_database
from entrypoints.config import Settings, with_servers
from entrypoints.container import Container

log = logging.getLogger(__name__)
HOUSEKEEPING_INTERVAL_SECONDS = 600


async def run_worker(settings: Settings, *, interval: float = HOUSEKEEPING_INTERVAL_SECONDS) -> None:
    settings = with_servers(settings)
    await prepare_database(settings)
    container = Container(settings=settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker started", extra={"interval_seconds": interval})
    try:
        while not stop.is_set():
            try:
                purged = await container.purge_expired_sessions()()
                stale = await container.remove_stale_progress()()
                log.info(
                    "housekeeping done", extra={"expired_sessions_purged": purged, "stale_progress_removed": stale}
                )
            except Exception:
                log.exception("housekeeping failed; retrying next round")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
    finally:
        await container.engine().dispose()
        await container.redis().aclose()
        log.info("worker stopped")
