from __future__ import annotations

from quart import g, request

from application.identity.authenticate import Authenticate
from application.identity.principal import Principal
from domain.shared.errors import RateLimited


async def authenticated(authenticate: Authenticate, scope: str) -> Principal:
    """The request's principal (access token or API key), which must carry ``scope``.

    API-key rate-limit state is left on ``g`` for the RateLimit-* response headers.
    """
    try:
        result = await authenticate(
            request.headers.get("Authorization"), request.headers.get("X-API-Key"), request.remote_addr
        )
    except RateLimited as limited:
        g.rate_limit = limited.decision
        raise
    g.rate_limit = result.rate_limit
    result.principal.require_scope(scope)
    return result.principal
