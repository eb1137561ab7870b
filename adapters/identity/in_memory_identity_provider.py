"""A provider that lives in the test's memory, checking what a real one checks (GitHub's token
endpoint, Google's plus the ID token's nonce): the code is single-use, lapses after ten minutes,
and is bound to the callback URL, the PKCE challenge and the nonce of the authorization request it
was approved for. It passes the identity-provider contract suite with the real adapters."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import attrs

from adapters.shared.system import SystemClock
from application.identity.identity_provider_ports import (
    AuthorizationRequest,
    ProviderIdentity,
    ProviderRefused,
)
from application.identity.provider_flow import pkce_challenge
from application.shared.ports import Clock

CODE_LIFETIME = timedelta(minutes=10)  # what GitHub and Google give a code


@attrs.frozen
class ProviderCallback:
    """Where the provider sends the browser back: our callback with ``code`` and ``state``."""

    code: str
    state: str
    callback_url: str


@attrs.frozen
class _Approval:
    identity: ProviderIdentity
    callback_url: str
    code_challenge: str
    nonce: str | None
    issued_at: datetime


class InMemoryIdentityProvider:
    def __init__(self, name: str, uses_nonce: bool, *, scopes: str = "", clock: Clock | None = None) -> None:
        """``scopes``: what the authorization URL asks for, as the real provider's adapter does."""
        self._name = name
        self._uses_nonce = uses_nonce
        self._scopes = scopes
        self._clock = clock or SystemClock()
        self._codes: dict[str, _Approval] = {}
        # Set to make identify fail like an outage would: ProviderUnavailable, or CircuitOpen.
        self.failing_with: Exception | None = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def uses_nonce(self) -> bool:
        return self._uses_nonce

    @property
    def client_id(self) -> str:
        return f"{self._name}-client"

    @property
    def authorize_endpoint(self) -> str:
        return f"https://{self._name}.provider.invalid/authorize"

    async def authorization_url(self, request: AuthorizationRequest) -> str:
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": request.callback_url,
            "state": request.state,
            "code_challenge": request.code_challenge,
            "code_challenge_method": "S256",
        }
        if self._scopes:
            query["scope"] = self._scopes
        if self._uses_nonce and request.nonce is not None:  # without one, no code it gives can be spent
            query["nonce"] = request.nonce
        return f"{self.authorize_endpoint}?{urlencode(query)}"

    def approve(self, authorization_url: str, identity: ProviderIdentity) -> ProviderCallback:
        """The person signs in at the provider as ``identity`` and consents: a fresh code for the
        request in ``authorization_url``."""
        if identity.provider != self._name:
            raise ValueError(f"{self._name} vouches for its own people only, not for one of {identity.provider}")
        parts = urlsplit(authorization_url)
        if f"{parts.scheme}://{parts.netloc}{parts.path}" != self.authorize_endpoint:
            raise ValueError(f"not an authorization URL of {self._name}: {authorization_url}")
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            raise ValueError(f"{self._name} knows no such client, or it does not ask for a code")
        if query.get("code_challenge_method") != "S256":
            raise ValueError("the provider insists on PKCE S256")
        code = secrets.token_urlsafe(24)
        self._codes[code] = _Approval(
            identity=identity,
            callback_url=query["redirect_uri"],
            code_challenge=query["code_challenge"],
            nonce=query.get("nonce"),
            issued_at=self._clock.now(),
        )
        return ProviderCallback(code=code, state=query["state"], callback_url=query["redirect_uri"])

    def expire_codes(self) -> None:
        """Every code given out so far is past its lifetime."""
        lapsed = CODE_LIFETIME + timedelta(seconds=1)
        for code, approval in self._codes.items():
            self._codes[code] = attrs.evolve(approval, issued_at=approval.issued_at - lapsed)

    async def identify(
        self, *, code: str, callback_url: str, code_verifier: str, nonce: str | None
    ) -> ProviderIdentity:
        if self.failing_with is not None:
            raise self.failing_with
        if self._uses_nonce and nonce is None:  # refused before the code is sent, so it is not spent
            raise ProviderRefused(f"{self._name} is an OpenID Connect provider: the sign-in needs its nonce.")
        approval = self._codes.pop(code, None)  # a code is spent by its first exchange, good or bad
        if approval is None or self._clock.now() - approval.issued_at > CODE_LIFETIME:
            raise ProviderRefused(f"{self._name} refused the code: unknown, expired or used already.")
        if approval.callback_url != callback_url:
            raise ProviderRefused(f"{self._name} refused the code: it was issued for another redirect_uri.")
        if pkce_challenge(code_verifier) != approval.code_challenge:
            raise ProviderRefused(f"{self._name} refused the code: the PKCE code_verifier does not match.")
        if self._uses_nonce and nonce != approval.nonce:
            raise ProviderRefused(f"{self._name}'s ID token does not carry the nonce of this sign-in.")
        return approval.identity
