"""A SERVER span for every HTTP request, around the whole ASGI app.

Named by the matched route template (`GET /api/v1/content/{content_id}`; just the method when
nothing matched), with the stable HTTP semantic-convention attributes. An incoming W3C
`traceparent`/`tracestate` continues the caller's trace. Deliberately left out: request and
response headers (credentials), and query values (search text may be personal; names are kept,
values become `REDACTED`).

Not opentelemetry-instrumentation-asgi: it cannot know Quart's route, so it names spans by the
raw path and puts the raw query (`url.query`) on them, and it adds a span for every send and
receive of the body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from opentelemetry import context, propagate, trace
from opentelemetry.propagators.textmap import Getter
from opentelemetry.trace import SpanKind, Status, StatusCode

from entrypoints.http.route_template import matched_route

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Scraped and probed every few seconds: a trace each time would bury the ones people look for.
# Not /metrics: a stranger's 404 there must carry a trace_id like any unknown path's.
UNTRACED_PATHS = frozenset({"/health/live", "/health/ready"})
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"})


class _HeaderGetter(Getter[Scope]):
    def get(self, carrier: Scope, key: str) -> list[str] | None:
        name = key.lower().encode()
        values = [value.decode("latin-1") for header, value in carrier.get("headers", ()) if header == name]
        return values or None

    def keys(self, carrier: Scope) -> list[str]:
        return [header.decode("latin-1") for header, _ in carrier.get("headers", ())]


_headers = _HeaderGetter()


def _header(scope: Scope, name: bytes) -> str | None:
    for header, value in scope.get("headers", ()):
        if header == name:
            return str(value.decode("latin-1"))
    return None


def redacted_query(query_string: bytes) -> str:
    pairs: Iterable[tuple[str, str]] = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return "&".join(f"{name}=REDACTED" for name, _ in pairs)


def _request_attributes(scope: Scope, method: str) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "http.request.method": method,
        "url.scheme": scope.get("scheme", "http"),
        "url.path": scope.get("path", ""),
        "network.protocol.version": scope.get("http_version", "1.1"),
    }
    if method == "_OTHER":
        attributes["http.request.method_original"] = scope.get("method", "")
    if query := scope.get("query_string"):
        attributes["url.query"] = redacted_query(query)
    if server := scope.get("server"):
        attributes["server.address"], attributes["server.port"] = server[0], server[1]
    if client := scope.get("client"):
        attributes["client.address"] = client[0]
    if agent := _header(scope, b"user-agent"):
        attributes["user_agent.original"] = agent[:256]
    return attributes


class ServerSpans:
    """ASGI middleware: wrap `app.asgi_app` with it (Quart's test client goes through it too)."""

    def __init__(self, app: AsgiApp, tracer_provider: trace.TracerProvider | None = None) -> None:
        self._app = app
        self._tracer = trace.get_tracer("media_gateway.http", tracer_provider=tracer_provider)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in UNTRACED_PATHS:
            await self._app(scope, receive, send)
            return
        method = scope.get("method", "")
        method = method if method in _KNOWN_METHODS else "_OTHER"
        parent = propagate.extract(scope, getter=_headers)
        span = self._tracer.start_span(
            "HTTP" if method == "_OTHER" else method,
            context=parent,
            kind=SpanKind.SERVER,
            attributes=_request_attributes(scope, method),
        )
        token = context.attach(trace.set_span_in_context(span, parent))
        status = 0

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self._app(scope, receive, send_noting_status)
        except BaseException as error:
            span.record_exception(error)
            span.set_attribute("error.type", type(error).__qualname__)
            span.set_status(Status(StatusCode.ERROR))
            raise
        finally:
            if route := matched_route(scope):
                span.set_attribute("http.route", route)
                span.update_name(f"{'HTTP' if method == '_OTHER' else method} {route}")
            if status:
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_attribute("error.type", str(status))
                    span.set_status(Status(StatusCode.ERROR))
            span.end()
            context.detach(token)
