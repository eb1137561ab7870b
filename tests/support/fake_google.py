"""A fake Google on loopback: an OpenID Connect issuer at its own URL, with a discovery document,
a JWKS, an authorization endpoint and a token endpoint whose ID tokens are signed with a real RSA
key (joserfc) and carry the nonce of their authorization request.

Knobs beyond the shared ones (``fake_oauth_server``): the user who logs in; ``tamper(...)`` makes
the ID tokens from then on wrong in one way (another ``aud``, ``iss`` or ``nonce``, expired, issued
in the future, signed by a key the issuer does not publish under its ``kid`` or another, ``alg:
none``, HS256 keyed with the public key, several audiences without ``azp``); ``rotate_keys()``
signs with a new key under a new ``kid``; ``discovery_issuer`` makes the discovery document name
another issuer."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal

import attrs
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.support.fake_oauth_server import FakeOAuthServer, Grant, Request, Response

CLIENT_ID = "fake-google-client.apps.googleusercontent.com"
CLIENT_SECRET = "fake-google-secret"

Tamper = Literal[
    "aud", "iss", "nonce", "expired", "future", "foreign-key", "unknown-kid", "alg-none", "hs256", "audiences", None
]


@attrs.frozen
class GoogleUser:
    sub: str
    email: str | None
    email_verified: bool = True
    name: str | None = None


ANA = GoogleUser(sub="109876543210987654321", email="ana@example.com", email_verified=True, name="Ana Silva")


@functools.cache
def _key(number: int) -> RSAKey:
    """RSA keys made once per test process (2048 bits: what Google uses)."""
    return RSAKey.generate_key(2048, parameters={"kid": f"fake-google-{number}", "use": "sig", "alg": "RS256"})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class FakeGoogle(FakeOAuthServer):
    authorize_path = "/o/oauth2/v2/auth"
    token_path = "/token"
    discovery_path = "/.well-known/openid-configuration"
    jwks_path = "/oauth2/v3/certs"

    def __init__(self, user: GoogleUser = ANA) -> None:
        super().__init__(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, user=user)
        self._key_number = 0
        self.tampering: Tamper = None
        self.discovery_issuer: str | None = None

    @property
    def issuer(self) -> str:
        return self.url

    @property
    def signing_key(self) -> RSAKey:
        return _key(self._key_number)

    def settings_env(self) -> dict[str, str]:
        return {
            "MG_GOOGLE_CLIENT_ID": CLIENT_ID,
            "MG_GOOGLE_CLIENT_SECRET": CLIENT_SECRET,
            "MG_GOOGLE_ISSUER": self.issuer,
        }

    def tamper(self, how: Tamper) -> None:
        with self._lock:
            self.tampering = how

    def rotate_keys(self) -> None:
        """Sign with a new key (new ``kid``); the JWKS publishes only the new one from now on."""
        with self._lock:
            self._key_number += 1

    def id_token(self, claims: dict[str, Any]) -> str:
        """``claims`` signed as the issuer signs them, tampered as ``tamper`` said."""
        with self._lock:
            how, key = self.tampering, self.signing_key
        claims = dict(claims)
        if how == "aud":
            claims["aud"] = "someone-else.apps.googleusercontent.com"
        elif how == "audiences":
            claims["aud"] = [CLIENT_ID, "someone-else.apps.googleusercontent.com"]
            claims.pop("azp", None)
        elif how == "iss":
            claims["iss"] = "https://accounts.evil.example"
        elif how == "nonce":
            claims["nonce"] = "another-flows-nonce"
        elif how == "expired":
            claims["iat"], claims["exp"] = claims["iat"] - 7200, claims["iat"] - 3600
        elif how == "future":
            claims["iat"], claims["exp"] = claims["iat"] + 3600, claims["iat"] + 7200
        header = {"alg": "RS256", "kid": key.kid, "typ": "JWT"}
        if how == "foreign-key":
            return jwt.encode(header, claims, _key(99))  # the same kid, a key nobody published
        if how == "unknown-kid":
            return jwt.encode({**header, "kid": _key(99).kid}, claims, _key(99))
        if how in ("alg-none", "hs256"):
            header["alg"] = "none" if how == "alg-none" else "HS256"
            signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
            if how == "alg-none":
                return f"{signing_input}."
            # The classic confusion: the public key's bytes used as an HMAC secret.
            secret = json.dumps(key.as_dict(private=False), sort_keys=True).encode()
            mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
            return f"{signing_input}.{_b64(mac)}"
        return jwt.encode(header, claims, key)

    def token_error(self, error: str, description: str) -> Response:
        return Response.json(
            401 if error == "invalid_client" else 400, {"error": error, "error_description": description}
        )

    def token_answer(self, grant: Grant, access_token: str) -> dict[str, Any]:
        user: GoogleUser = grant.user
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "azp": CLIENT_ID,
            "aud": CLIENT_ID,
            "sub": user.sub,
            "iat": now,
            "exp": now + 3600,
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        if user.email is not None:
            claims["email"], claims["email_verified"] = user.email, user.email_verified
        if user.name is not None:
            claims["name"] = user.name
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 3599,
            "scope": grant.scope,
            "id_token": self.id_token(claims),
        }

    def routes(self) -> dict[tuple[str, str], Callable[[Request], Response]]:
        return {("GET", self.discovery_path): self._discovery, ("GET", self.jwks_path): self._jwks}

    def _discovery(self, request: Request) -> Response:
        return Response.json(
            200,
            {
                "issuer": self.discovery_issuer or self.issuer,
                "authorization_endpoint": f"{self.url}{self.authorize_path}",
                "token_endpoint": f"{self.url}{self.token_path}",
                "jwks_uri": f"{self.url}{self.jwks_path}",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                "code_challenge_methods_supported": ["plain", "S256"],
            },
        )

    def _jwks(self, request: Request) -> Response:
        with self._lock:
            key = self.signing_key
        return Response.json(200, {"keys": [key.as_dict(private=False)]}, {"Cache-Control": "public, max-age=3600"})


@pytest.fixture
def fake_google() -> Iterator[FakeGoogle]:
    server = FakeGoogle()
    try:
        yield server
    finally:
        server.close()
