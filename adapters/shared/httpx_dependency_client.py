"""Outbound HTTP to one dependency, through its circuit breaker: how the identity providers, Qdrant
and the platforms' metadata clients call out.

A 5xx, a 408 or 429, a transport error or a timeout counts against the dependency; any other 4xx
is an answer (a 404 says the thing is not there, not that the dependency is down): raised to the
caller as ``httpx.HTTPStatusError``, never counted, never answered by the fallback."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from application.shared.circuit_breaker_ports import Answers, CircuitBreaker

_OVERLOADED = frozenset({408, 429})


def _is_answer(error: BaseException) -> bool:
    status = error.response.status_code if isinstance(error, httpx.HTTPStatusError) else 500
    return status < 500 and status not in _OVERLOADED


HTTP_ANSWERS: Answers = [(httpx.HTTPStatusError, _is_answer)]


class HttpxDependencyClient:
    def __init__(self, client: httpx.AsyncClient, breakers: CircuitBreaker, breaker: str) -> None:
        """``client`` carries the dependency's base URL, headers and its own timeouts (keep them
        inside the breaker's, which bounds the whole call)."""
        self._client = client
        self._breakers = breakers
        self._breaker = breaker

    async def request(
        self,
        method: str,
        url: str,
        *,
        fallback: Callable[[Exception], Awaitable[httpx.Response]] | None = None,
        **options: Any,
    ) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self._client.request(method, url, **options)
            response.raise_for_status()
            return response

        return await self._breakers.call(self._breaker, send, fallback=fallback, answers=HTTP_ANSWERS)

    async def get_json(self, url: str, *, fallback: Callable[[Exception], Awaitable[Any]] | None = None) -> Any:
        async def answered() -> Any:
            response = await self._client.get(url)
            response.raise_for_status()
            return response.json()

        return await self._breakers.call(self._breaker, answered, fallback=fallback, answers=HTTP_ANSWERS)
