"""``GET /metrics`` for Prometheus, on the main listener, for the host and the networks in
``MG_METRICS_ALLOW`` only: anyone else gets the 404 of a path that does not exist, whatever the
method (checked before routing, which would answer 405 or OPTIONS and give the route away).

The address is the connection's peer as uvicorn reports it (which takes ``X-Forwarded-For`` only
from the proxies in ``FORWARDED_ALLOW_IPS``, by default loopback), never a header the client chose.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging

from dependency_injector.wiring import Provide, inject
from quart import Blueprint, Response, request
from quart_schema import hide
from werkzeug.exceptions import NotFound

from application.operations.breakers import ListBreakers
from application.playback.progress_journal_ports import JournalBacklog, JournalBacklogReader
from entrypoints.config import Network, Settings
from entrypoints.container import Container
from entrypoints.http.problems import DEPENDENCY_ERRORS
from entrypoints.telemetry.exposition import exposition

log = logging.getLogger(__name__)
metrics = Blueprint("metrics", __name__)
PATH = "/metrics"
BACKLOG_TIMEOUT_SECONDS = 2.0  # well inside Prometheus' default scrape timeout (10 s)


def may_read_metrics(address: str | None, allowed: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False  # no address (a Unix socket) or not an IP: nobody we know
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or any(ip in network for network in allowed)


def _peer() -> str | None:
    """The connection's peer from the ASGI scope itself (Quart's ``remote_addr`` goes through a header)."""
    client = request.scope.get("client")
    return str(client[0]) if client else None


async def _backlog(reader: JournalBacklogReader) -> JournalBacklog | None:
    try:
        async with asyncio.timeout(BACKLOG_TIMEOUT_SECONDS):
            return await reader.backlog()
    except (*DEPENDENCY_ERRORS, TimeoutError) as error:
        log.warning("archive lag not read for metrics", extra={"error_type": type(error).__name__})
        return None


async def hide_metrics_from_strangers() -> None:
    """Before each request: one string comparison for any other path."""
    if request.path == PATH:
        await _refuse_strangers()


@inject
async def _refuse_strangers(settings: Settings = Provide[Container.settings]) -> None:
    if not may_read_metrics(_peer(), settings.metrics_allow):
        raise NotFound()  # the problem handler answers it as it answers any unknown path


@metrics.get(PATH)
@hide
@inject
async def scrape(
    settings: Settings = Provide[Container.settings],
    backlog: JournalBacklogReader = Provide[Container.playback_adapters.journal_backlog],
    list_breakers: ListBreakers = Provide[Container.operations.list_breakers],
) -> Response:
    if not may_read_metrics(_peer(), settings.metrics_allow):
        raise NotFound()  # already refused before routing; checked again where the data leaves
    # The breakers' views never fail for Redis: while it is down they are this process's own.
    breakers = await list_breakers()
    body, content_type = exposition(await _backlog(backlog), request.headers.get("Accept", ""), breakers)
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})
