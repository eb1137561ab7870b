"""Which identity providers the service offers (as configured), their callback URL, and their
HTTP clients' lifetime."""

from __future__ import annotations

from pathlib import Path

import attrs
from dependency_injector import providers

from adapters.operations.in_memory_breaker_states import InMemoryBreakerStates
from adapters.operations.purgatory_circuit_breaker import PurgatoryCircuitBreaker
from adapters.shared.system import SystemClock
from domain.operations.breakers import BreakerPolicies
from entrypoints.config import Settings
from entrypoints.container import Container
from entrypoints.containers.identity_providers import ProviderClients, callback_url, configured_providers
from entrypoints.containers.operations import BREAKER_POLICIES
from entrypoints.lifecycle import close_connections
from entrypoints.sign_in_config import SignInSettings

GITHUB = {"MG_GITHUB_CLIENT_ID": "id", "MG_GITHUB_CLIENT_SECRET": "secret"}
GOOGLE = {"MG_GOOGLE_CLIENT_ID": "id", "MG_GOOGLE_CLIENT_SECRET": "secret"}


def settings(tmp_path: Path, env: dict[str, str]) -> Settings:
    return Settings(data_dir=tmp_path, sign_in=SignInSettings.from_env(env))


def providers_for(tmp_path: Path, env: dict[str, str]) -> tuple[tuple[str, ...], ProviderClients]:
    breakers = PurgatoryCircuitBreaker(BreakerPolicies(BREAKER_POLICIES), InMemoryBreakerStates(), SystemClock())
    clients = ProviderClients(10)
    configured = configured_providers(settings(tmp_path, env), breakers, SystemClock(), clients)
    return configured.names(), clients


async def test_a_provider_without_its_settings_is_not_offered(tmp_path: Path) -> None:
    assert providers_for(tmp_path, {})[0] == ()
    assert providers_for(tmp_path, GITHUB)[0] == ("github",)
    assert providers_for(tmp_path, {**GITHUB, **GOOGLE})[0] == ("github", "google")


def test_every_provider_has_a_breaker_of_its_own() -> None:
    assert {"github", "google"} <= {policy.name for policy in BREAKER_POLICIES}


def test_the_callback_is_under_the_public_base_url(tmp_path: Path) -> None:
    public = settings(tmp_path, {"MG_PUBLIC_BASE_URL": "https://watch.example/"})
    local = attrs.evolve(settings(tmp_path, {}), http_host="127.0.0.1", http_port=8080)

    assert callback_url(public, "github") == "https://watch.example/api/v1/auth/oauth/github/callback"
    assert callback_url(local, "google") == "http://127.0.0.1:8080/api/v1/auth/oauth/google/callback"


async def test_the_clients_are_closed_with_the_other_connections(tmp_path: Path) -> None:
    container = Container(settings=settings(tmp_path, {**GITHUB, **GOOGLE}))
    container.operations_adapters.breaker_states.override(providers.Singleton(InMemoryBreakerStates))
    assert container.identity_providers.configured().names() == ("github", "google")
    clients = container.identity_providers.clients()
    opened = list(clients._clients)

    await close_connections(container)

    assert len(opened) == 2
    assert all(client.is_closed for client in opened)


def test_unset_provider_urls_and_sender_are_the_public_services_own(tmp_path: Path) -> None:
    sign_in = settings(tmp_path, {**GITHUB, **GOOGLE}).sign_in

    assert sign_in.github is not None and sign_in.google is not None
    assert (sign_in.github.base_url, sign_in.github.api_url) == ("https://github.com", "https://api.github.com")
    assert sign_in.google.issuer == "https://accounts.google.com"
    assert sign_in.mail_from == "Media Gateway <no-reply@media-gateway.invalid>"
