"""Calling a dependency through its circuit breaker. Here, not in a context, because every
outbound call needs it: the identity providers, Qdrant, the platforms' metadata clients."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")

# Exceptions that are answers, not failures (a 404, "no such user"): exception types, or
# (type, predicate) pairs when only some of a type are (an HTTP error whose status is below 500).
# Domain errors are always answers.
Answers = Sequence[type[BaseException] | tuple[type[BaseException], Callable[[BaseException], bool]]]


class CircuitBreaker(Protocol):
    async def call(
        self,
        breaker: str,
        operation: Callable[[], Awaitable[T]],
        *,
        fallback: Callable[[Exception], Awaitable[T]] | None = None,
        answers: Answers = (),
    ) -> T:
        """``operation()`` through the named breaker, within the breaker's timeout.

        Refused by an open breaker, the call is not made: ``fallback`` answers instead (given the
        ``CircuitOpen``), or ``domain.shared.errors.CircuitOpen`` is raised. A failure (an
        exception other than an answer, a timeout as ``TimeoutError``) counts against the
        dependency and goes to ``fallback`` too when there is one; an answer is raised as it is."""
