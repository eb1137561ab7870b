"""One request to an identity provider: through the provider's circuit breaker, within the
provider timeout, and with every way it can go wrong turned into ProviderRefused or
ProviderUnavailable (or CircuitOpen), never anything a route would answer 500 for.

Inside the breaker call, a refusal is raised as ProviderRefused (a domain error, so an answer the
breaker does not count) and everything else as it comes (counted against the provider); outside,
the failures become ProviderUnavailable. ProviderUnavailable itself is never raised inside: as a
domain error it would be an answer, and a provider that keeps failing would never trip."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client

from application.identity.identity_provider_ports import ProviderRefused, ProviderUnavailable
from application.shared.circuit_breaker_ports import CircuitBreaker
from domain.shared.errors import DomainError

T = TypeVar("T")
log = logging.getLogger(__name__)


class ProviderRateLimited(Exception):
    """Inside a breaker call: the provider rate-limited us (counted: a provider that keeps saying
    so is one to leave alone for a while)."""

    def __init__(self, retry_after_seconds: int | None) -> None:
        super().__init__("rate limited")
        self.retry_after_seconds = retry_after_seconds


class MalformedAnswer(Exception):
    """Inside a breaker call: the provider answered something we cannot read."""


class ProviderMisconfigured(Exception):
    """Inside a breaker call: the provider refused *us* (our client id or secret), not the person."""


# Token endpoint errors that are about our registration, not about the code the person brought.
_OUR_MISTAKES = frozenset({"invalid_client", "incorrect_client_credentials", "unauthorized_client"})


class SignInOAuth2Client(AsyncOAuth2Client):  # type: ignore[misc]  # authlib is untyped
    """authlib's client, shared by every sign-in in the process: the token one sign-in fetched is
    returned to it and not kept on the client, where the next sign-in would find it. A rate-limited
    token response is a rate limit, not the provider refusing the code."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.register_compliance_hook("access_token_response", _rate_limits_first)

    def parse_response_token(self, resp: httpx.Response) -> Any:
        kept = self.token
        try:
            return super().parse_response_token(resp)
        finally:
            self.token = kept


def _rate_limits_first(response: httpx.Response) -> httpx.Response:
    raise_if_rate_limited(response)
    return response


def raise_if_rate_limited(response: httpx.Response) -> None:
    """GitHub says so with 403 and ``x-ratelimit-remaining: 0`` (primary limit) or a
    ``retry-after`` (secondary limit); everyone says so with 429."""
    headers = response.headers
    if response.status_code == 429 or (
        response.status_code == 403 and (headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers)
    ):
        raise ProviderRateLimited(retry_after_seconds(headers))


async def exchange_code(
    client: SignInOAuth2Client, token_url: str, *, provider: str, code: str, callback_url: str, code_verifier: str
) -> dict[str, Any]:
    """The token response for ``code`` (inside a breaker call): ProviderRefused when the provider
    refuses the code or verifier (bad, replayed, expired, another client's)."""
    try:
        token = await client.fetch_token(
            token_url,
            grant_type="authorization_code",
            code=code,
            redirect_uri=callback_url,
            code_verifier=code_verifier,
        )
    except OAuthError as error:
        reason = str(error.error)[:64]
        if reason in _OUR_MISTAKES:
            log.error("%s refused our client credentials (%s): check its client id and secret", provider, reason)
            raise ProviderMisconfigured(reason) from None
        log.info("%s refused the code: %s", provider, reason)
        raise ProviderRefused(f"{provider} refused the sign-in; start again.") from None
    if not isinstance(token, dict) or not isinstance(token.get("access_token"), str):
        raise MalformedAnswer("token response without an access token")
    return dict(token)


class ProviderCalls:
    def __init__(self, provider: str, breakers: CircuitBreaker, timeout_seconds: float) -> None:
        self._provider = provider
        self._breakers = breakers
        self._timeout = timeout_seconds

    async def __call__(self, what: str, operation: Callable[[], Awaitable[T]]) -> T:
        """``operation()`` (``what`` names it in the log) through the breaker."""

        async def bounded() -> T:
            async with asyncio.timeout(self._timeout):
                return await operation()

        try:
            return await self._breakers.call(self._provider, bounded)
        except DomainError:  # ProviderRefused, CircuitOpen: already what the flow expects
            raise
        except ProviderRateLimited as error:
            log.warning("%s rate-limited us (%s)", self._provider, what)
            raise ProviderUnavailable(
                f"{self._provider} is limiting our requests; try again later.",
                retry_after_seconds=error.retry_after_seconds,
            ) from None
        except (TimeoutError, httpx.TimeoutException):
            log.warning("%s did not answer in time (%s)", self._provider, what)
            raise ProviderUnavailable(f"{self._provider} did not answer in time.") from None
        except httpx.HTTPStatusError as error:
            log.warning("%s answered %s (%s)", self._provider, error.response.status_code, what)
            raise ProviderUnavailable(f"{self._provider} failed.") from None
        except Exception as error:  # transport errors, malformed answers: never a 500
            log.warning("%s failed (%s): %s", self._provider, what, type(error).__name__)
            raise ProviderUnavailable(f"{self._provider} failed.") from None


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The response's JSON object, or MalformedAnswer (raised inside the breaker call: counted)."""
    try:
        body = response.json()
    except ValueError:
        raise MalformedAnswer(f"not JSON (HTTP {response.status_code})") from None
    if not isinstance(body, dict):
        raise MalformedAnswer(f"not a JSON object (HTTP {response.status_code})")
    return body


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> int | None:
    """Seconds to wait from ``Retry-After`` (seconds or an HTTP date) or, failing that, GitHub's
    ``x-ratelimit-reset`` (the epoch second the quota refills); None when neither says."""
    now = time.time() if now is None else now
    raw = headers.get("retry-after")
    if raw:
        if raw.strip().isdigit():
            return max(1, int(raw.strip()))
        try:
            return max(1, round(parsedate_to_datetime(raw).timestamp() - now))
        except (TypeError, ValueError):
            pass
    reset = headers.get("x-ratelimit-reset")
    if reset and reset.strip().isdigit():
        return max(1, round(int(reset.strip()) - now))
    return None
