"""Signing in through an external identity provider (GitHub's OAuth 2.0, Google's OpenID Connect).

The use cases run the flow (state, PKCE, nonce, linking); a provider adapter only builds the
authorization URL and, given the code the provider sent back, says who the person is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from attrs import frozen

from domain.shared.errors import DomainError


@frozen
class ProviderIdentity:
    """Who the provider says signed in. ``subject`` is the provider's stable id (GitHub's numeric
    ``id``, Google's ``sub``): identities are keyed by provider + subject, never by login or email."""

    provider: str
    subject: str
    # GitHub: the primary address (verified or not; none without a primary); Google: the ``email`` claim.
    email: str | None
    email_verified: bool  # the provider vouches for ``email``: only then may it match an existing account
    display_name: str | None = None
    login: str | None = None  # GitHub's login name, for display only


@frozen
class AuthorizationRequest:
    """What goes into the provider's authorization URL; the flow keeps the secrets server-side."""

    callback_url: str  # our own callback, registered at the provider
    state: str
    code_challenge: str  # PKCE S256 (RFC 7636), always
    nonce: str | None  # OpenID Connect providers only


class IdentityProvider(Protocol):
    @property
    def name(self) -> str:
        """``github`` or ``google``: the ``{provider}`` of the routes."""

    @property
    def uses_nonce(self) -> bool:
        """True for OpenID Connect: the flow sends a nonce, and the ID token must carry it back."""

    async def authorization_url(self, request: AuthorizationRequest) -> str: ...

    async def identify(
        self, *, code: str, callback_url: str, code_verifier: str, nonce: str | None
    ) -> ProviderIdentity:
        """Exchange ``code`` and return who signed in. Raises ProviderRefused for a code, verifier
        or ID token the provider or our checks reject, ProviderUnavailable when the provider
        failed, timed out or rate-limited us (and CircuitOpen when its breaker is open)."""


class IdentityProviders(Protocol):
    """The configured providers; one that is not configured is not found (its routes answer 404)."""

    def get(self, name: str) -> IdentityProvider | None: ...

    def names(self) -> tuple[str, ...]: ...


@frozen
class ConfiguredProviders:
    providers: Mapping[str, IdentityProvider]

    def get(self, name: str) -> IdentityProvider | None:
        return self.providers.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self.providers))


class ProviderRefused(DomainError):
    """The provider, or our checks of what it sent (ID token signature, iss, aud, exp, nonce),
    refused the sign-in: a bad, replayed or expired code, a wrong PKCE verifier, a forged token."""

    code = "provider-refused"


class ProviderUnavailable(DomainError):
    """The provider failed (a 5xx, a timeout, a malformed answer) or rate-limited us."""

    code = "provider-unavailable"

    def __init__(self, message: str, *, retry_after_seconds: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
