from __future__ import annotations

from attrs import frozen

from application.identity.ports import AccessTokenClaims, AccessTokenIssuer
from domain.identity.errors import InvalidAccessToken


@frozen
class Authenticate:
    """Resolve the bearer credential of a request into verified claims."""

    access_tokens: AccessTokenIssuer

    def __call__(self, authorization: str | None) -> AccessTokenClaims:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidAccessToken("Send a Bearer access token in the Authorization header.")
        return self.access_tokens.verify(token.strip())
