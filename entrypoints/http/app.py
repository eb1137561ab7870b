"""The Quart application factory."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator

from quart import Quart, Response, g, request
from quart_schema import QuartSchema

from entrypoints.container import Container
from entrypoints.heartbeat import beating
from entrypoints.http import health_routes, metrics_routes, operator_access
from entrypoints.http.contexts import blueprints_of, context_packages
from entrypoints.http.json_provider import use_msgspec_json
from entrypoints.http.openapi import OpenApiDocument
from entrypoints.http.operator_access import hide_operator_paths_from_strangers
from entrypoints.http.problems import register_problem_handlers
from entrypoints.http.route_template import note_matched_route
from entrypoints.http.security_headers import register_security_headers
from entrypoints.http.swagger_ui_assets import serve_swagger_ui_assets
from entrypoints.http.text_guard import refuse_unstorable_query_text
from entrypoints.lifecycle import close_connections
from entrypoints.logging_setup import request_id
from entrypoints.telemetry.request_metrics import with_request_metrics
from entrypoints.telemetry.server_spans import ServerSpans

access_log = logging.getLogger("media_gateway.access")


def create_app(container: Container) -> Quart:
    app = Quart("media_gateway")
    settings = container.settings()
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["QUART_SCHEMA_CONVERSION_PREFERENCE"] = "msgspec"
    QuartSchema(
        app,
        info={
            "title": "Media Gateway",
            "version": "1.0.0",
            "description": "Find what to watch across streaming platforms.",
        },
        openapi_provider_class=OpenApiDocument,
    )
    serve_swagger_ui_assets(app)
    use_msgspec_json(app)
    register_problem_handlers(app)
    register_security_headers(app)
    contexts = context_packages()
    for blueprint in [*blueprints_of(contexts), health_routes.health, metrics_routes.metrics]:
        app.register_blueprint(blueprint)
    # Wire after the views exist: wiring earlier leaves unresolved Provide markers behind.
    container.wire(packages=contexts, modules=[health_routes, metrics_routes, operator_access])
    app.extensions["container"] = container

    @app.before_request
    async def start_request() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if 0 < len(incoming) <= 128 and incoming.isprintable() else uuid.uuid4().hex
        g.request_id = rid
        g.started = time.perf_counter()
        request_id.set(rid)
        note_matched_route()
        await hide_operator_paths_from_strangers()
        await refuse_unstorable_query_text()

    @app.after_request
    async def finish_request(response: Response) -> Response:
        limit = getattr(g, "rate_limit", None)
        if limit is not None:
            response.headers["RateLimit-Limit"] = str(limit.limit)
            response.headers["RateLimit-Remaining"] = str(limit.remaining)
            response.headers["RateLimit-Reset"] = str(limit.reset_seconds)
        rid = getattr(g, "request_id", None)
        if rid:
            response.headers["X-Request-ID"] = rid
        started = getattr(g, "started", None)
        # Only the path: query strings may carry search text, and never credentials anyway.
        access_log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            },
        )
        return response

    @app.while_serving
    async def publish_heartbeat() -> AsyncIterator[None]:
        async with beating(container, "api") as instance:  # ends before the connections close
            app.extensions["instance"] = instance
            yield

    @app.after_serving
    async def close_pools() -> None:
        await close_connections(container)

    app.asgi_app = with_request_metrics(app.asgi_app)  # type: ignore[method-assign]
    app.asgi_app = ServerSpans(app.asgi_app)  # type: ignore[method-assign]
    return app
