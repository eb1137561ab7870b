from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import jwt

from adapters.identity.signing_keys import Ed25519SigningKey
from application.identity.account_ports import AccessTokenClaims, IssuedAccessToken
from application.shared.ports import Clock
from domain.identity.errors import InvalidAccessToken

ISSUER = "media-gateway"
_REQUIRED = ["sub", "iat", "exp", "jti", "scope", "iss", "sid"]


class JwtAccessTokenIssuer:
    """EdDSA (Ed25519) JWTs; verification accepts only our issuer, algorithm and key ids.

    A token whose signature checked out is remembered (by its exact text) until it expires, so a
    client's next requests skip the signature check; expiry is still checked on every use."""

    def __init__(self, key: Ed25519SigningKey, clock: Clock, ttl: timedelta, *, remember: int = 4096) -> None:
        self._key = key
        self._clock = clock
        self._ttl = ttl
        self._leeway = timedelta(seconds=5)
        self._verified: dict[str, AccessTokenClaims] = {}
        self._remember = remember

    def issue(
        self, user_id: UUID, scopes: frozenset[str], auth_time: datetime, session_family: UUID
    ) -> IssuedAccessToken:
        now = self._clock.now()
        claims = {
            "iss": ISSUER,
            "sub": str(user_id),
            "iat": int(now.timestamp()),
            "exp": int((now + self._ttl).timestamp()),
            "jti": uuid.uuid4().hex,
            "scope": " ".join(sorted(scopes)),
            "auth_time": int(auth_time.timestamp()),
            "sid": str(session_family),
        }
        token = jwt.encode(claims, self._key.private_key, algorithm="EdDSA", headers={"kid": self._key.kid})
        return IssuedAccessToken(token=token, expires_in_seconds=int(self._ttl.total_seconds()))

    def verify(self, token: str) -> AccessTokenClaims:
        claims = self._verified.get(token)
        if claims is None:
            claims = self._check_signature(token)
            if len(self._verified) >= self._remember:
                del self._verified[next(iter(self._verified))]  # the oldest
            self._verified[token] = claims
        if self._clock.now() >= claims.expires_at + self._leeway:
            raise InvalidAccessToken("The access token has expired; refresh it.")
        return claims

    def _check_signature(self, token: str) -> AccessTokenClaims:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("kid") != self._key.kid:
                raise InvalidAccessToken("The access token was not signed by this service.")
            # Expiry is checked against our Clock (not the system clock) so tests can move time.
            claims = jwt.decode(
                token,
                self._key.public_key,
                algorithms=["EdDSA"],
                issuer=ISSUER,
                options={"require": _REQUIRED, "verify_exp": False, "verify_iat": False},
            )
            expires_at = datetime.fromtimestamp(int(claims["exp"]), UTC)
            return AccessTokenClaims(
                subject=UUID(claims["sub"]),
                scopes=frozenset(str(claims["scope"]).split()),
                issued_at=datetime.fromtimestamp(int(claims["iat"]), UTC),
                expires_at=expires_at,
                auth_time=datetime.fromtimestamp(int(claims.get("auth_time", claims["iat"])), UTC),
                token_id=str(claims["jti"]),
                session_family=UUID(str(claims["sid"])),
            )
        except InvalidAccessToken:
            raise
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as error:
            raise InvalidAccessToken("The access token is invalid.") from error

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [self._key.public_jwk()]}
