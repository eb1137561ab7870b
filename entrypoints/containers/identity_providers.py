"""The identity providers people may sign in with, as configured (``MG_GITHUB_*``, ``MG_GOOGLE_*``):
a provider without its settings is not configured, and its routes answer 404.

Each configured provider has one HTTP client (authlib's, an ``httpx.AsyncClient``), made when the
providers are first built and closed with the process's other connections."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.identity.github_identity_provider import GitHubIdentityProvider
from adapters.identity.google_identity_provider import GoogleIdentityProvider
from adapters.identity.identity_provider_calls import SignInOAuth2Client
from adapters.shared.system import SystemClock
from application.identity.identity_provider_ports import ConfiguredProviders, IdentityProvider
from application.shared.circuit_breaker_ports import CircuitBreaker
from application.shared.ports import Clock
from entrypoints.config import Settings

USER_AGENT = "media-gateway"  # GitHub refuses API requests without a User-Agent


class ProviderClients:
    """The providers' HTTP clients: made on first use, closed once (``aclose``)."""

    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds
        self._clients: list[SignInOAuth2Client] = []

    def open(self, client_id: str, client_secret: str, *, auth_method: str) -> SignInOAuth2Client:
        """``auth_method``: how the token request carries our credentials (RFC 6749 2.3.1)."""
        client = SignInOAuth2Client(
            client_id=client_id,
            client_secret=client_secret,
            token_endpoint_auth_method=auth_method,
            timeout=self._timeout,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        )
        self._clients.append(client)
        return client

    async def aclose(self) -> None:
        while self._clients:
            await self._clients.pop().aclose()


def configured_providers(
    settings: Settings, breakers: CircuitBreaker, clock: Clock, clients: ProviderClients
) -> ConfiguredProviders:
    sign_in = settings.sign_in
    timeout = float(sign_in.provider_timeout_seconds)
    configured: dict[str, IdentityProvider] = {}
    if sign_in.github is not None:
        github = sign_in.github
        configured["github"] = GitHubIdentityProvider(
            # GitHub documents the credentials in the token request's body.
            clients.open(github.client_id, github.client_secret, auth_method="client_secret_post"),
            breakers,
            base_url=github.base_url,
            api_url=github.api_url,
            timeout_seconds=timeout,
        )
    if sign_in.google is not None:
        google = sign_in.google
        configured["google"] = GoogleIdentityProvider(
            clients.open(google.client_id, google.client_secret, auth_method="client_secret_basic"),
            breakers,
            clock,
            client_id=google.client_id,
            issuer=google.issuer,
            timeout_seconds=timeout,
        )
    return ConfiguredProviders(configured)


def callback_url(settings: Settings, provider: str) -> str:
    """Our callback for ``provider``: what to register at the provider, and what the flow sends it."""
    return f"{settings.public_base_url}/api/v1/auth/oauth/{provider}/callback"


class IdentityProviders(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    breakers = providers.Dependency()  # operations.circuit_breaker, given by the root

    clients = providers.Singleton(
        ProviderClients, providers.Callable(lambda s: float(s.sign_in.provider_timeout_seconds), settings)
    )
    # The wall clock, not shared.clock: an ID token's exp and iat are the issuer's wall-clock times,
    # and a test world's manual clock is not the fake issuer's.
    wall_clock = providers.Singleton(SystemClock)
    configured = providers.Singleton(configured_providers, settings, breakers, wall_clock, clients)
