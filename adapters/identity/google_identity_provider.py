"""Signing in with Google: OpenID Connect (authorization code + PKCE S256 + nonce). The endpoints
come from the issuer's discovery document; the ID token is verified against the issuer's JWKS
(RS256 only) and its claims checked here, each failed check a ProviderRefused."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from datetime import datetime, timedelta
from typing import Any, NoReturn

import attrs
import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from adapters.identity.identity_provider_calls import (
    MalformedAnswer,
    ProviderCalls,
    SignInOAuth2Client,
    exchange_code,
    json_object,
    raise_if_rate_limited,
)
from application.identity.identity_provider_ports import AuthorizationRequest, ProviderIdentity, ProviderRefused
from application.shared.circuit_breaker_ports import CircuitBreaker
from application.shared.ports import Clock

SCOPES = "openid email profile"
ALGORITHMS = ("RS256",)  # what Google signs with; never "none", never HS* (a public key is no secret)
LEEWAY_SECONDS = 60  # clocks differ a little
CACHE_FOR = timedelta(hours=1)
REFETCH_KEYS_AT_MOST_EVERY = timedelta(minutes=1)  # an unknown kid must not let anyone make us call out per request
# Google's own ID tokens name their issuer with or without the scheme.
_ISSUER_ALIASES = {"https://accounts.google.com": frozenset({"https://accounts.google.com", "accounts.google.com"})}

log = logging.getLogger(__name__)


@attrs.frozen
class _Endpoints:
    authorization: str
    token: str
    jwks: str
    fetched_at: datetime


@attrs.frozen
class _Keys:
    keys: KeySet
    kids: frozenset[str]
    fetched_at: datetime


class GoogleIdentityProvider:
    name = "google"
    uses_nonce = True

    def __init__(
        self,
        client: SignInOAuth2Client,
        breakers: CircuitBreaker,
        clock: Clock,
        *,
        client_id: str,
        issuer: str,
        timeout_seconds: float,
    ) -> None:
        """``client`` carries our client id and secret."""
        self._client = client
        self._clock = clock
        self._client_id = client_id
        self._issuer = issuer.rstrip("/")
        self._accepted_issuers = _ISSUER_ALIASES.get(self._issuer, frozenset({self._issuer}))
        self._calls = ProviderCalls(self.name, breakers, timeout_seconds)
        self._endpoints: _Endpoints | None = None
        self._keys: _Keys | None = None
        self._keys_refetched_at: datetime | None = None
        self._fetching = asyncio.Lock()

    async def authorization_url(self, request: AuthorizationRequest) -> str:
        endpoints = await self._discovered()
        url, _ = self._client.create_authorization_url(
            endpoints.authorization,
            state=request.state,
            redirect_uri=request.callback_url,
            scope=SCOPES,
            code_challenge=request.code_challenge,
            code_challenge_method="S256",
            nonce=request.nonce,
        )
        return str(url)

    async def identify(
        self, *, code: str, callback_url: str, code_verifier: str, nonce: str | None
    ) -> ProviderIdentity:
        if nonce is None:
            raise ProviderRefused("An OpenID Connect sign-in needs its nonce.")
        endpoints = await self._discovered()

        async def exchange() -> dict[str, Any]:
            return await exchange_code(
                self._client,
                endpoints.token,
                provider=self.name,
                code=code,
                callback_url=callback_url,
                code_verifier=code_verifier,
            )

        token = await self._calls("token exchange", exchange)
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            log.warning("google: the token response has no ID token")
            raise ProviderRefused("Google sent no ID token; start again.")
        claims = await self._verified_claims(id_token, endpoints)
        self._check_claims(claims, nonce)
        email = claims.get("email")
        name = claims.get("name")
        return ProviderIdentity(
            provider=self.name,
            subject=claims["sub"],
            email=email if isinstance(email, str) and email else None,
            # Some issuers send the boolean as a string.
            email_verified=isinstance(email, str) and claims.get("email_verified") in (True, "true"),
            display_name=name if isinstance(name, str) and name else None,
        )

    # --- the ID token ---------------------------------------------------------------------------

    async def _verified_claims(self, id_token: str, endpoints: _Endpoints) -> dict[str, Any]:
        header = _header(id_token)
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in ALGORITHMS:
            _refuse("alg", f"the ID token is signed with {str(alg)[:16]!r}")
        keys = await self._signing_keys(endpoints)
        if isinstance(kid, str) and kid not in keys.kids and self._may_refetch_keys():
            log.info("google: unknown signing key id, fetching the JWKS again (key rotation)")
            keys = await self._signing_keys(endpoints, refetch=True)
        if isinstance(kid, str) and kid not in keys.kids:
            _refuse("kid", "the ID token is signed by a key the issuer does not publish")
        try:
            decoded = jwt.decode(id_token, keys.keys, algorithms=list(ALGORITHMS))
        except JoseError as error:
            _refuse("signature", type(error).__name__)
        return dict(decoded.claims)

    def _check_claims(self, claims: dict[str, Any], nonce: str) -> None:
        now = self._clock.now().timestamp()
        if claims.get("iss") not in self._accepted_issuers:
            _refuse("iss", "the ID token comes from another issuer")
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience
        if not isinstance(audiences, list) or self._client_id not in audiences:
            _refuse("aud", "the ID token is meant for another client")
        # Several audiences: the party it was issued to must be us (OpenID Connect Core 3.1.3.7).
        if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != self._client_id:
            _refuse("azp", "the ID token was issued to another client")
        expires, issued = claims.get("exp"), claims.get("iat")
        if not _number(expires) or expires + LEEWAY_SECONDS <= now:
            _refuse("exp", "the ID token has expired")
        if not _number(issued) or issued - LEEWAY_SECONDS > now or issued > expires:
            _refuse("iat", "the ID token's issue time is not sane")
        if claims.get("nonce") != nonce:
            _refuse("nonce", "the ID token carries another sign-in's nonce")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject or len(subject) > 255:
            _refuse("sub", "the ID token names no subject")

    # --- what the issuer publishes ----------------------------------------------------------------

    async def _discovered(self) -> _Endpoints:
        cached = self._endpoints
        if cached is not None and self._clock.now() - cached.fetched_at < CACHE_FOR:
            return cached
        async with self._fetching:
            if self._endpoints is not cached:
                assert self._endpoints is not None
                return self._endpoints
            self._endpoints = await self._calls("discovery", self._fetch_discovery)
            return self._endpoints

    async def _fetch_discovery(self) -> _Endpoints:
        document = json_object(await self._get(f"{self._issuer}/.well-known/openid-configuration"))
        if document.get("issuer") != self._issuer:
            # A document for another issuer is a misconfiguration (or a spoof): trust none of it.
            log.error("google: the discovery document names issuer %r, not %r", document.get("issuer"), self._issuer)
            raise MalformedAnswer("discovery document of another issuer")
        endpoints = [document.get(field) for field in ("authorization_endpoint", "token_endpoint", "jwks_uri")]
        if not all(isinstance(url, str) and url.startswith(("https://", "http://")) for url in endpoints):
            raise MalformedAnswer("discovery document without its endpoints")
        authorization, token, jwks = endpoints
        return _Endpoints(authorization, token, jwks, self._clock.now())

    async def _signing_keys(self, endpoints: _Endpoints, *, refetch: bool = False) -> _Keys:
        cached = self._keys
        if not refetch and cached is not None and self._clock.now() - cached.fetched_at < CACHE_FOR:
            return cached
        async with self._fetching:
            if self._keys is not cached:  # another sign-in fetched them meanwhile
                assert self._keys is not None
                return self._keys
            if refetch:
                self._keys_refetched_at = self._clock.now()
            self._keys = await self._calls("jwks", lambda: self._fetch_keys(endpoints.jwks))
            return self._keys

    def _may_refetch_keys(self) -> bool:
        last = self._keys_refetched_at
        return last is None or self._clock.now() - last >= REFETCH_KEYS_AT_MOST_EVERY

    async def _fetch_keys(self, url: str) -> _Keys:
        document = json_object(await self._get(url))
        listed = document.get("keys")
        if not isinstance(listed, list):
            raise MalformedAnswer("JWKS without keys")
        rsa = [
            key
            for key in listed
            if isinstance(key, dict) and key.get("kty") == "RSA" and key.get("use", "sig") == "sig"
        ]
        try:
            keys = KeySet.import_key_set({"keys": rsa})
        except (JoseError, ValueError, TypeError) as error:
            raise MalformedAnswer(f"unreadable JWKS ({type(error).__name__})") from None
        kids = frozenset(key["kid"] for key in rsa if isinstance(key.get("kid"), str))
        return _Keys(keys, kids, self._clock.now())

    async def _get(self, url: str) -> httpx.Response:
        response: httpx.Response = await self._client.request("GET", url, withhold_token=True)
        raise_if_rate_limited(response)
        response.raise_for_status()
        return response


def _header(token: str) -> dict[str, Any]:
    try:
        encoded = token.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, UnicodeDecodeError):
        _refuse("format", "the ID token is not a JWS")
    if not isinstance(header, dict):
        _refuse("format", "the ID token is not a JWS")
    return header


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _refuse(check: str, why: str) -> NoReturn:
    # The check's name and why, never the token.
    log.warning("google: ID token refused (%s): %s", check, why)
    raise ProviderRefused("Google's answer did not pass our checks; start again.")
