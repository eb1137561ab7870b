"""Who may read what operators read (``GET /metrics``, ``GET /health/aggregate``): the host and
the networks in ``MG_METRICS_ALLOW``. Anyone else gets the 404 of a path that does not exist,
whatever the method (checked before routing, which would answer 405 or OPTIONS and give the
route away).

The address is the connection's peer as uvicorn reports it (which takes ``X-Forwarded-For`` only
from the proxies in ``FORWARDED_ALLOW_IPS``, by default loopback), never a header the client chose.
"""

from __future__ import annotations

import ipaddress

from dependency_injector.wiring import Provide, inject
from quart import request
from werkzeug.exceptions import NotFound

from entrypoints.config import Network, Settings
from entrypoints.container import Container

OPERATOR_PATHS = frozenset({"/metrics", "/health/aggregate"})


def may_read_operations(address: str | None, allowed: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False  # no address (a Unix socket) or not an IP: nobody we know
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or any(ip in network for network in allowed)


def peer() -> str | None:
    """The connection's peer from the ASGI scope itself (Quart's ``remote_addr`` goes through a header)."""
    client = request.scope.get("client")
    return str(client[0]) if client else None


async def hide_operator_paths_from_strangers() -> None:
    """Before each request: one set lookup for any other path."""
    if request.path in OPERATOR_PATHS:
        await refuse_strangers()


@inject
async def refuse_strangers(settings: Settings = Provide[Container.settings]) -> None:
    """Raise the 404 of an unknown path unless the peer may read operators' paths (also called by
    those views themselves, where the data leaves)."""
    if not may_read_operations(peer(), settings.metrics_allow):
        raise NotFound()  # the problem handler answers it as it answers any unknown path
