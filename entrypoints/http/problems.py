"""RFC 9457 problem details: the one place where errors become HTTP responses."""

from __future__ import annotations

import contextlib
import json
import logging
import re
from typing import Any

from quart import Quart, Response, request
from quart_schema import RequestSchemaValidationError
from quart_schema.validation import QuerystringValidationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from domain.catalog.errors import InvalidSearch
from domain.shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
)

log = logging.getLogger(__name__)
# msgspec names the offending member at the end of its message: "... - at `$.password`".
_FIELD = re.compile(r" - at `\$\.([^`]+)`$")

PROBLEM_JSON = "application/problem+json"

# code -> (status, title). The `type` of each problem is /problems/<code>.
PROBLEMS: dict[str, tuple[int, str]] = {
    "malformed-request": (400, "The request body is not valid JSON"),
    "invalid-query": (400, "The query string is not valid"),
    "invalid-search": (400, "The search request is not valid"),
    "validation-failed": (422, "The request does not match the schema"),
    "invalid-input": (422, "The request is not valid"),
    "invalid-email": (422, "The email address is not valid"),
    "weak-password": (422, "The password does not meet the password policy"),
    "unauthenticated": (401, "Authentication required"),
    "invalid-credentials": (401, "Invalid credentials"),
    "invalid-access-token": (401, "Invalid access token"),
    "invalid-refresh-token": (401, "Invalid refresh token"),
    "forbidden": (403, "Forbidden"),
    "invalid-password": (403, "The password is incorrect"),
    "not-found": (404, "Not found"),
    "content-not-found": (404, "Content not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "conflict": (409, "Conflict"),
    "email-already-registered": (409, "Email already registered"),
    "payload-too-large": (413, "Request body too large"),
    "request-headers-too-large": (431, "Request header fields too large"),
    "unsupported-media-type": (415, "Unsupported media type"),
    "too-many-attempts": (429, "Too many attempts"),
    "rate-limited": (429, "Rate limit exceeded"),
    "factor-locked": (429, "Two-factor authentication is locked"),
    "invalid-mfa-code": (401, "Invalid two-factor code"),
    "invalid-mfa-token": (401, "Invalid or expired sign-in step"),
    "reauthentication-required": (401, "Recent sign-in required"),
    "mfa-already-enabled": (409, "Two-factor authentication is already enabled"),
    "mfa-not-enabled": (409, "Two-factor authentication is not enabled"),
    "no-pending-enrollment": (409, "No pending two-factor enrollment"),
    "invalid-api-key": (401, "Invalid API key"),
    "invalid-api-key-request": (422, "The API key request is not valid"),
    "scope-not-held": (403, "Scope not held"),
    "api-key-not-found": (404, "API key not found"),
    "invalid-progress": (422, "The progress update is not valid"),
    "stale-progress": (409, "A later update was already recorded"),
    "progress-not-found": (404, "No progress recorded"),
    "internal-error": (500, "Internal server error"),
    "service-unavailable": (503, "A dependency is unavailable"),
}

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

_DOMAIN_DEFAULTS: list[tuple[type[DomainError], str]] = [
    (InvalidSearch, "invalid-search"),
    (InvalidInput, "invalid-input"),
    (NotFound, "not-found"),
    (Conflict, "conflict"),
    (Unauthenticated, "unauthenticated"),
    (Forbidden, "forbidden"),
    (TooManyAttempts, "too-many-attempts"),
]


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
    response = Response(json.dumps(body), status=body["status"], content_type=PROBLEM_JSON, headers=headers)
    if body["status"] == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="media-gateway"'
    return response


def _domain_problem(error: DomainError) -> Response:
    code = (
        error.code
        if error.code in PROBLEMS
        else next((c for kind, c in _DOMAIN_DEFAULTS if isinstance(error, kind)), "internal-error")
    )
    extensions: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(error, InvalidInput) and error.field:
        extensions["errors"] = [{"field": error.field, "message": error.detail}]
    winner = getattr(error, "winner", None)
    if winner is not None:
        extensions["current"] = {
            "content_id": str(winner.content_id),
            "position_seconds": winner.position_seconds,
            "progress_percent": winner.progress_percent,
            "completed": winner.completed,
            "updated_at": winner.updated_at.isoformat(),
            "device_id": winner.device_id,
        }
    drift = getattr(error, "clock_drift_seconds", None)
    if drift is not None:
        extensions["clock_drift_seconds"] = drift
    if isinstance(error, TooManyAttempts):
        headers["Retry-After"] = str(error.retry_after_seconds)
        extensions["retry_after_seconds"] = error.retry_after_seconds
    return problem(code, error.detail, headers=headers, **extensions)


def register_problem_handlers(app: Quart) -> None:
    @app.errorhandler(DomainError)
    async def domain_error(error: DomainError) -> Response:
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
