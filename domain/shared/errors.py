"""Base classes for errors raised by domain rules and use cases.

Each error names a stable ``code``; the HTTP layer maps codes to RFC 9457 problem types,
so the core never knows about status codes.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "domain-error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    code = "not-found"


class Conflict(DomainError):
    code = "conflict"


class InvalidInput(DomainError):
    code = "invalid-input"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class Unauthenticated(DomainError):
    code = "unauthenticated"


class TooManyAttempts(DomainError):
    """A limit refused the attempt. ``limiter`` names which one (``sign_in``, ``registration``,
    ``second_factor``, ``factor_lock``, ``invalid_api_key``, ``api_key``, ``leaked_key_reports``,
    ``email_verification``, ``password_reset``, ``device_code``, ``device_authorizations``):
    operators count refusals by it, and one route can meet several limits."""

    code = "too-many-attempts"

    def __init__(self, detail: str, *, retry_after_seconds: int, limiter: str) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds
        self.limiter = limiter


class Forbidden(DomainError):
    code = "forbidden"


class RateLimited(TooManyAttempts):
    code = "rate-limited"

    def __init__(self, detail: str, *, retry_after_seconds: int, limiter: str, decision: object = None) -> None:
        super().__init__(detail, retry_after_seconds=retry_after_seconds, limiter=limiter)
        self.decision = decision


class CircuitOpen(DomainError):
    """A circuit breaker refused the call without making it: the dependency behind ``breaker``
    failed too often lately (or an operator opened it). ``retry_after_seconds`` is the time until
    the breaker lets a trial call through. The problem says which dependency only as a 503: the
    breaker's name is for operators (``GET /api/v1/admin/breakers``), not for clients."""

    code = "dependency-unavailable"

    def __init__(self, detail: str, *, breaker: str, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.breaker = breaker
        self.retry_after_seconds = retry_after_seconds
