from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext

from quart import g, request

from application.identity.authenticate import Authenticate
from application.identity.principal import Principal
from domain.identity.api_key import API_KEY_PREFIX
from domain.shared.errors import DomainError, RateLimited
from entrypoints.telemetry.metrics import API_KEY_AUTHENTICATIONS
from entrypoints.telemetry.outcomes import counted_outcome


def _credentials() -> tuple[str | None, str | None, str | None]:
    return request.headers.get("Authorization"), request.headers.get("X-API-Key"), request.remote_addr


async def authenticated(authenticate: Authenticate, scope: str) -> Principal:
    """The request's principal (access token or API key), which must carry ``scope``.

    API-key rate-limit state is left on ``g`` for the RateLimit-* response headers.
    """
    credentials = _credentials()
    try:
        with _counted_if_api_key(*credentials[:2]):
            result = await authenticate(*credentials)
    except RateLimited as limited:
        g.rate_limit = limited.decision
        raise
    g.rate_limit = result.rate_limit
    result.principal.require_scope(scope)
    return result.principal


def _counted_if_api_key(authorization: str | None, api_key_header: str | None) -> AbstractContextManager[object]:
    """API-key authentications are counted by outcome (told apart as ``Authenticate`` does);
    access tokens, the bulk of the traffic, are not."""
    scheme, _, credential = (authorization or "").partition(" ")
    if api_key_header or (scheme.lower() == "bearer" and credential.strip().startswith(API_KEY_PREFIX)):
        return counted_outcome(API_KEY_AUTHENTICATIONS)
    return nullcontext()


def credential_check(authenticate: Authenticate, scope: str) -> Callable[[], Awaitable[bool]]:
    """Whether the request's credential still holds ``scope``, to ask again after the view returned:
    a stream outlives its token (logout, a revoked session family or key, expiry)."""
    credentials = _credentials()

    async def still_allowed() -> bool:
        try:
            (await authenticate(*credentials)).principal.require_scope(scope)
        except DomainError:
            return False
        return True

    return still_allowed
