"""``GET /metrics`` for Prometheus, on the main listener, for the host and the networks in
``MG_METRICS_ALLOW`` only (``operator_access.py``): anyone else gets the 404 of a path that does
not exist, whatever the method."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from dependency_injector.wiring import Provide, inject
from quart import Blueprint, Response, request
from quart_schema import hide

from application.identity.mail_backlog_ports import MailBacklog, MailBacklogReader
from application.ingestion.stream_ports import IngestionBacklog, IngestionStream
from application.operations.breakers import ListBreakers
from application.playback.progress_journal_ports import JournalBacklog, JournalBacklogReader
from application.shared.ports import Clock
from entrypoints.container import Container
from entrypoints.http.operator_access import refuse_strangers
from entrypoints.http.problems import DEPENDENCY_ERRORS
from entrypoints.telemetry.exposition import exposition

log = logging.getLogger(__name__)
metrics = Blueprint("metrics", __name__)
PATH = "/metrics"
BACKLOG_TIMEOUT_SECONDS = 2.0  # well inside Prometheus' default scrape timeout (10 s)


async def _backlog(reader: JournalBacklogReader) -> JournalBacklog | None:
    try:
        async with asyncio.timeout(BACKLOG_TIMEOUT_SECONDS):
            return await reader.backlog()
    except (*DEPENDENCY_ERRORS, TimeoutError) as error:
        log.warning("archive lag not read for metrics", extra={"error_type": type(error).__name__})
        return None


async def _mail_backlog(reader: MailBacklogReader, clock: Clock) -> MailBacklog | None:
    now = clock.now()
    try:
        async with asyncio.timeout(BACKLOG_TIMEOUT_SECONDS):
            return await reader.backlog(now, now - timedelta(hours=1))
    except (*DEPENDENCY_ERRORS, TimeoutError) as error:
        log.warning("mail backlog not read for metrics", extra={"error_type": type(error).__name__})
        return None


async def _ingestion_backlog(stream: IngestionStream) -> IngestionBacklog | None:
    try:
        async with asyncio.timeout(BACKLOG_TIMEOUT_SECONDS):
            return await stream.backlog()
    except (*DEPENDENCY_ERRORS, TimeoutError) as error:
        log.warning("ingestion backlog not read for metrics", extra={"error_type": type(error).__name__})
        return None


@metrics.get(PATH)
@hide
@inject
async def scrape(
    backlog: JournalBacklogReader = Provide[Container.playback_adapters.journal_backlog],
    list_breakers: ListBreakers = Provide[Container.operations.list_breakers],
    mail_backlog: MailBacklogReader = Provide[Container.identity_mail.adapters.mail_backlog],
    clock: Clock = Provide[Container.shared.clock],
    ingestion_stream: IngestionStream = Provide[Container.ingestion_processing.adapters.stream],
) -> Response:
    await refuse_strangers()  # already refused before routing; checked again where the data leaves
    # The breakers' views never fail for Redis: while it is down they are this process's own.
    breakers = await list_breakers()
    body, content_type = exposition(
        await _backlog(backlog),
        request.headers.get("Accept", ""),
        breakers,
        mail=await _mail_backlog(mail_backlog, clock),
        ingestion=await _ingestion_backlog(ingestion_stream),
    )
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})
