from __future__ import annotations

from quart import request

from application.identity.authenticate import Authenticate
from application.identity.ports import AccessTokenClaims
from domain.shared.errors import Forbidden


def require_scope(authenticate: Authenticate, scope: str) -> AccessTokenClaims:
    """The verified claims of the request's bearer token, which must carry ``scope``."""
    claims = authenticate(request.headers.get("Authorization"))
    if scope not in claims.scopes:
        raise Forbidden(f"This credential lacks the '{scope}' scope.")
    return claims
