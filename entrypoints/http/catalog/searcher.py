"""Who is searching, as search analytics' opaque key (hashed with a daily salt before anything
is stored): the signed-in user, else the client's address and user agent."""

from __future__ import annotations

import logging

from quart import request

# Through the shared authentication module: catalog's routes sign no one in, they only recognise.
from entrypoints.http.authentication import Authenticate

log = logging.getLogger(__name__)


async def searcher_of_request(authenticate: Authenticate) -> str:
    """``user:<id>`` for a request with a valid credential; ``client:<address> <User-Agent>``
    otherwise. A bad, expired or rate-limited credential, or an identity store that cannot
    answer, makes the search anonymous: a public search never fails because of who sent it."""
    authorization, api_key = request.headers.get("Authorization"), request.headers.get("X-API-Key")
    if authorization or api_key:
        try:
            result = await authenticate(authorization, api_key, request.remote_addr)
        except Exception:  # analytics must not fail the search (DomainError or an outage alike)
            log.debug("search credential not recognised; counted as anonymous", exc_info=True)
        else:
            return f"user:{result.principal.user_id}"
    return f"client:{request.remote_addr or ''} {request.headers.get('User-Agent', '')}"
