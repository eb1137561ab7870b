"""Request count, duration and in-flight requests, as an ASGI middleware around the Quart app.

It is on every request, so it does the least it can: one clock read at each end, and the
label children are bound once per (route, method, status class) and kept, instead of
``labels()`` resolving them each time.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prometheus_client.metrics import Counter, Histogram

from entrypoints.http.route_template import matched_route
from entrypoints.telemetry.metrics import HTTP_REQUEST_DURATION, HTTP_REQUESTS, HTTP_REQUESTS_IN_FLIGHT

UNMATCHED = "unmatched"  # no route (404, 405): the raw path would be unbounded and carry ids
# Anything else a client sends as a method is `other`, so no client can mint label values.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_STATUS_CLASSES = {n: f"{n}xx" for n in range(1, 6)}

ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]  # Quart's asgi_app, or another middleware


class RequestMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._bound: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        status = 500  # unless a response starts: the app failed, or the client left first

        async def noting_status(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        HTTP_REQUESTS_IN_FLIGHT.inc()
        started = time.perf_counter()
        try:
            await self._app(scope, receive, noting_status)
        finally:
            elapsed = time.perf_counter() - started
            HTTP_REQUESTS_IN_FLIGHT.dec()
            count, duration = self._children(scope, status)
            count.inc()
            duration.observe(elapsed)

    def _children(self, scope: MutableMapping[str, Any], status: int) -> tuple[Counter, Histogram]:
        method = scope["method"]
        key = (matched_route(scope) or UNMATCHED, method if method in METHODS else "other", status // 100)
        children = self._bound.get(key)
        if children is None:
            route, method, status_class = key
            labels = (route, method, _STATUS_CLASSES.get(status_class, "5xx"))
            children = self._bound[key] = (HTTP_REQUESTS.labels(*labels), HTTP_REQUEST_DURATION.labels(*labels))
        return children


def with_request_metrics(asgi_app: ASGIApp) -> RequestMetrics:
    """``app.asgi_app = with_request_metrics(app.asgi_app)``: the one line that installs it."""
    return RequestMetrics(asgi_app)
