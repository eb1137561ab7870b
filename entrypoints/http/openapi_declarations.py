"""What a route declares about itself for the OpenAPI document (entrypoints/http/openapi.py
builds the document from these), next to its own code:

    @signed_in("write")                          # bearer token or API key holding `write`
    @problems("invalid-password", "too-many-attempts")
    @responds(204)                               # a success validate_response cannot describe

Everything else is implied, so no route repeats it: a JSON body can answer 400
``malformed-request``, 413 and 422 ``validation-failed``; a query string 400 ``invalid-query``;
a path parameter the router's 404; a signed-in route 401, 403 and 429; every route 503 unless
marked ``@needs_no_services``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from quart_schema.validation import (
    QUART_SCHEMA_QUERYSTRING_ATTRIBUTE,
    QUART_SCHEMA_REQUEST_ATTRIBUTE,
)
from werkzeug.routing import Rule

from entrypoints.http.problems import PROBLEMS

F = TypeVar("F", bound=Callable[..., Any])

_SCOPE = "_mg_openapi_scope"
_PROBLEMS = "_mg_openapi_problems"
_RESPONSES = "_mg_openapi_responses"
_OFFLINE = "_mg_openapi_offline"

# What every signed-in route can answer (see entrypoints/http/authentication.py); the first two are
# identity's codes (entrypoints/http/identity/problems.py), whose Authenticate every context uses.
SIGNED_IN_PROBLEMS = ("invalid-access-token", "invalid-api-key", "forbidden", "too-many-attempts", "rate-limited")
JSON_BODY_PROBLEMS = ("malformed-request", "payload-too-large", "validation-failed")
QUERY_PROBLEMS = ("invalid-query", "malformed-request")
PATH_PROBLEMS = ("not-found",)
SERVICE_PROBLEMS = ("service-unavailable",)


def signed_in(scope: str) -> Callable[[F], F]:
    """Document that the route needs an access token or API key holding ``scope``."""

    def mark(func: F) -> F:
        setattr(func, _SCOPE, scope)
        return func

    return mark


def problems(*codes: str) -> Callable[[F], F]:
    """Document the problem codes (keys of ``PROBLEMS``) the route answers beyond the implied ones."""
    unknown = [code for code in codes if code not in PROBLEMS]
    if unknown:
        raise ValueError(
            f"Unknown problem codes {unknown}: register them in PROBLEMS (register_problem_types in the "
            "context's entrypoints/http/<context>/problems.py, imported before its routes)"
        )

    def mark(func: F) -> F:
        setattr(func, _PROBLEMS, (*getattr(func, _PROBLEMS, ()), *codes))
        return func

    return mark


def responds(
    status: int, model: Any = None, *, media_type: str = "application/json", description: str = ""
) -> Callable[[F], F]:
    """Document a success response ``validate_response`` cannot: no body (``model=None``), a union
    of models, a plain dict schema or another media type."""

    def mark(func: F) -> F:
        setattr(func, _RESPONSES, {**getattr(func, _RESPONSES, {}), status: (model, media_type, description)})
        return func

    return mark


def needs_no_services(func: F) -> F:
    """Document that the route never touches PostgreSQL or Redis, so it never answers 503."""
    setattr(func, _OFFLINE, True)
    return func


def declared_scope(func: Callable[..., Any]) -> str | None:
    return getattr(func, _SCOPE, None)


def declared_responses(func: Callable[..., Any]) -> dict[int, tuple[Any, str, str]]:
    """What ``@responds`` declared: status -> (model, media type, description)."""
    return dict(getattr(func, _RESPONSES, {}))


def declared_problems(func: Callable[..., Any], rule: Rule) -> list[str]:
    """Every problem code the route's document lists: the implied ones, then the declared ones."""
    codes: list[str] = []
    if getattr(func, QUART_SCHEMA_REQUEST_ATTRIBUTE, None) is not None:
        codes += JSON_BODY_PROBLEMS
    if getattr(func, QUART_SCHEMA_QUERYSTRING_ATTRIBUTE, None) is not None:
        codes += QUERY_PROBLEMS
    if rule.arguments:
        codes += PATH_PROBLEMS
    if declared_scope(func) is not None:
        codes += SIGNED_IN_PROBLEMS
    codes += getattr(func, _PROBLEMS, ())
    if not getattr(func, _OFFLINE, False):
        codes += SERVICE_PROBLEMS
    return list(dict.fromkeys(codes))
