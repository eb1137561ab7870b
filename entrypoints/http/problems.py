"""RFC 9457 problem details: the one place where errors become HTTP responses."""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from opentelemetry import trace
from quart import Quart, Response, request
from quart_schema import RequestSchemaValidationError
from quart_schema.validation import QuerystringValidationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from domain.shared.errors import CircuitOpen, DomainError, InvalidInput, TooManyAttempts
from entrypoints.telemetry.refusals import count_refusal

log = logging.getLogger(__name__)
# msgspec names the offending member at the end of its message: "... - at `$.password`".
_FIELD = re.compile(r" - at `\$\.([^`]+)`$")

PROBLEM_JSON = "application/problem+json"

# code -> (status, title). The `type` of each problem is /problems/<code>. These are the codes of
# the mechanism and of domain.shared's errors; each context adds its own with register_problem_types
# from the problems module next to its routes (entrypoints/http/<context>/problems.py).
PROBLEMS: dict[str, tuple[int, str]] = {
    "malformed-request": (400, "The request body is not valid JSON"),
    "invalid-query": (400, "The query string is not valid"),
    "validation-failed": (422, "The request does not match the schema"),
    "invalid-input": (422, "The request is not valid"),
    "unauthenticated": (401, "Authentication required"),
    "forbidden": (403, "Forbidden"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "conflict": (409, "Conflict"),
    "payload-too-large": (413, "Request body too large"),
    "request-headers-too-large": (431, "Request header fields too large"),
    "unsupported-media-type": (415, "Unsupported media type"),
    "too-many-attempts": (429, "Too many attempts"),
    "rate-limited": (429, "Rate limit exceeded"),
    "internal-error": (500, "Internal server error"),
    "service-unavailable": (503, "A dependency is unavailable"),
    # A circuit breaker refused the call (domain.shared.errors.CircuitOpen); Retry-After is the
    # time until it lets a trial through.
    "dependency-unavailable": (503, "A dependency is unavailable for now"),
}

E = TypeVar("E", bound=DomainError)
ExtensionMembers = Callable[[Any], Mapping[str, Any]]

# Error class -> the extension members (RFC 9457 section 3.2) its problem carries, and their JSON Schemas.
_EXTENSIONS: dict[type[DomainError], ExtensionMembers] = {}
EXTENSION_SCHEMAS: dict[str, dict[str, Any]] = {}


def register_problem_types(types: Mapping[str, tuple[int, str]]) -> None:
    """Add a context's problem codes (code -> status, title): what its errors' ``code`` become."""
    for code, meaning in types.items():
        if PROBLEMS.setdefault(code, meaning) != meaning:
            raise ValueError(f"Problem code {code!r} is registered twice, as {PROBLEMS[code]} and {meaning}")


def extension_members(
    kind: type[E], schemas: Mapping[str, dict[str, Any]]
) -> Callable[[Callable[[E], Mapping[str, Any]]], Callable[[E], Mapping[str, Any]]]:
    """Register the decorated function as what an error of ``kind`` adds to its problem, beside the
    JSON Schema of each member it can add (for the document's ``Problem`` schema)."""

    def register(members: Callable[[E], Mapping[str, Any]]) -> Callable[[E], Mapping[str, Any]]:
        _EXTENSIONS[kind] = members
        EXTENSION_SCHEMAS.update(schemas)
        return members

    return register


# What PostgreSQL or Redis being unreachable raises: a 503, never a 500.
DEPENDENCY_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError, ConnectionError)

_HTTP_CODES = {
    400: "malformed-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
}


def problem(
    code: str,
    detail: str | None = None,
    *,
    status: int | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Response:
    default_status, title = PROBLEMS.get(code, (status or 500, code.replace("-", " ").capitalize()))
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": title,
        "status": status or default_status,
    }
    if detail:
        body["detail"] = detail
    with contextlib.suppress(RuntimeError):  # outside a request there is no instance
        body["instance"] = request.path
    body.update(extensions)
    span = trace.get_current_span().get_span_context()
    if span.is_valid:  # what a bug report quotes to find the request's trace (and its log lines)
        body["trace_id"] = format(span.trace_id, "032x")
    response = Response(json.dumps(body), status=body["status"], content_type=PROBLEM_JSON, headers=headers)
    if body["status"] == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="media-gateway"'
    return response


def problem_code(error: DomainError) -> str:
    """The error's code, or else the nearest base class's that is registered (an InvalidInput
    subclass nobody registered is still an invalid-input)."""
    for kind in type(error).__mro__:
        code = vars(kind).get("code")
        if code in PROBLEMS:
            return str(code)
    return "internal-error"


def _domain_problem(error: DomainError) -> Response:
    code = problem_code(error)
    extensions: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(error, InvalidInput) and error.field:
        extensions["errors"] = [{"field": error.field, "message": error.detail}]
    for kind, members in _EXTENSIONS.items():
        if isinstance(error, kind):
            extensions.update(members(error))
    own_wait = getattr(error, "retry_after_seconds", None)  # e.g. an identity provider's rate limit
    if isinstance(error, TooManyAttempts | CircuitOpen):
        headers["Retry-After"] = str(error.retry_after_seconds)
        extensions["retry_after_seconds"] = error.retry_after_seconds
    elif isinstance(own_wait, int):
        headers["Retry-After"] = str(own_wait)
    return problem(code, error.detail, headers=headers, **extensions)


def register_problem_handlers(app: Quart) -> None:
    @app.errorhandler(DomainError)
    async def domain_error(error: DomainError) -> Response:
        count_refusal(error)
        return _domain_problem(error)

    @app.errorhandler(QuerystringValidationError)
    async def bad_querystring(error: QuerystringValidationError) -> Response:
        return problem("invalid-query", str(error.validation_error))

    @app.errorhandler(RequestSchemaValidationError)
    async def bad_body(error: RequestSchemaValidationError) -> Response:
        if isinstance(error.validation_error, TypeError | AttributeError):
            # quart-schema got something other than a JSON object (null, a list, no JSON at all).
            return problem("validation-failed", "The request body must be a JSON object.")
        message = str(error.validation_error)
        field = _FIELD.search(message)
        errors = [{"field": field.group(1), "message": message.rsplit(" - at ", 1)[0]}] if field else []
        return problem("validation-failed", message, **({"errors": errors} if errors else {}))

    @app.errorhandler(UnicodeDecodeError)
    async def not_utf8(_: UnicodeDecodeError) -> Response:
        return problem("malformed-request", "The request body must be UTF-8 encoded JSON.")

    @app.errorhandler(HTTPException)
    async def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        code = _HTTP_CODES.get(status, "internal-error" if status >= 500 else "malformed-request")
        detail = error.description if status != 400 else "The request body is not valid JSON."
        response = problem(code, detail, status=status)
        if status == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods or [])
        return response

    async def dependency_down(error: Exception) -> Response:
        log.error("dependency unavailable", extra={"error_type": type(error).__name__})
        return problem(
            "service-unavailable",
            "A service we depend on is not answering; try again shortly.",
            headers={"Retry-After": "5"},
        )

    for kind in DEPENDENCY_ERRORS:
        app.register_error_handler(kind, dependency_down)

    @app.errorhandler(Exception)
    async def unexpected(error: Exception) -> Response:
        log.exception("unhandled error")
        return problem("internal-error", "Something went wrong on our side; it has been logged.")
