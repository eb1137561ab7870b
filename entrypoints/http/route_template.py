"""The route a request matched, as a template (`/api/v1/content/{content_id}`): what server spans
are named by and metrics are labelled with, never the raw path (unbounded, and it carries ids)."""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

from quart import request
from werkzeug.routing import Rule

# Where the matched template is left in the ASGI scope for the middleware around the app
# (server spans, request metrics), which sees the request before Quart has routed it.
ROUTE_SCOPE_KEY = "media_gateway.route"

_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def route_template(rule: Rule) -> str:
    """Quart's rule in OpenAPI's spelling: `<uuid:content_id>` becomes `{content_id}`."""
    return _PARAMETER.sub(r"{\1}", rule.rule)


def note_matched_route() -> None:
    """Before each request (after routing): leave the template where the middleware finds it."""
    rule = request.url_rule
    if rule is not None:
        request.scope[ROUTE_SCOPE_KEY] = route_template(rule)


def matched_route(scope: MutableMapping[str, Any]) -> str | None:
    """The template the app noted for this request; None when nothing matched (404, 405)."""
    route = scope.get(ROUTE_SCOPE_KEY)
    return route if isinstance(route, str) else None
