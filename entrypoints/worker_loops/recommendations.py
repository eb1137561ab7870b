"""Recommendations' loop: retrain when due and, beside it, refresh the viewers whose history changed."""

from __future__ import annotations

import asyncio
import logging

from opentelemetry.instrumentation.utils import suppress_instrumentation

from entrypoints.container import Container
from entrypoints.worker_loops._pacing import RETRY_SECONDS, pause

log = logging.getLogger(__name__)
REFRESH_SECONDS = 0.25  # a completion reaches the viewer's vector within about a second


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
            await pause(stop, check_seconds)

    async def refresh() -> None:
        refresh_changed = training.refresh_changed_viewers()
        while not stop.is_set():
            wait = REFRESH_SECONDS
            try:
                with suppress_instrumentation():
                    refreshed = await refresh_changed()
                if refreshed:
                    log.debug("viewers refreshed", extra={"viewers": refreshed})
            except Exception:
                log.exception("refreshing viewers failed; retrying")
                wait = RETRY_SECONDS
            await pause(stop, wait)

    await asyncio.gather(retrain(), refresh())


LOOPS = (recommendations,)
