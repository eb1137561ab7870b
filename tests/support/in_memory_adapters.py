"""An in-memory adapter set per context, provider for provider the same names as the real ones
in `entrypoints/containers/`, and `swap`, which puts one in a context's slot of the root."""

from __future__ import annotations

import operator
from datetime import timedelta

from dependency_injector import containers, providers

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.catalog.in_memory_catalog_change_feed import InMemoryCatalogChangeFeed
from adapters.catalog.in_memory_catalog_changes import InMemoryCatalogChanges
from adapters.catalog.in_memory_next_episode_finder import InMemoryNextEpisodeFinder
from adapters.catalog.in_memory_search_index import InMemorySearchIndex
from adapters.identity.aes_gcm_secret_box import load_or_create_secret_box
from adapters.identity.argon2_password_hasher import fast_test_hasher
from adapters.identity.in_memory_api_key_rate_limiter import InMemoryApiKeyRateLimiter
from adapters.identity.in_memory_api_key_usage_recorder import InMemoryApiKeyUsageRecorder
from adapters.identity.in_memory_client_rate_limiter import InMemoryClientRateLimiter
from adapters.identity.in_memory_device_authorization_store import InMemoryDeviceAuthorizationStore
from adapters.identity.in_memory_device_code_guess_guard import InMemoryDeviceCodeGuessGuard
from adapters.identity.in_memory_factor_attempt_guard import InMemoryFactorAttemptGuard
from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from adapters.identity.in_memory_login_code_store import InMemoryLoginCodeStore
from adapters.identity.in_memory_login_throttle import InMemoryLoginThrottle
from adapters.identity.in_memory_provider_flow_store import InMemoryProviderFlowStore
from adapters.identity.in_memory_registration_limiter import InMemoryRegistrationLimiter
from adapters.identity.in_memory_revoked_sessions import InMemoryRevokedSessions
from adapters.operations.health_in_memory_heartbeats import InMemoryHeartbeatStore
from adapters.operations.health_in_memory_ping import InMemoryPing
from adapters.operations.in_memory_breaker_states import InMemoryBreakerStates
from adapters.playback.in_memory_continue_watching import InMemoryContinueWatching
from adapters.playback.in_memory_progress_archive import InMemoryProgressArchive
from adapters.playback.in_memory_progress_store import InMemoryProgressStore
from adapters.playback.sync_brokers import InMemorySyncBroker
from adapters.shared.in_memory_work_tracing import InMemoryWorkTracing
from application.identity.provider_flow import FLOW_TTL, LOGIN_CODE_TTL
from domain.identity.device_authorization import DEVICE_LIMITS_WINDOW_SECONDS
from entrypoints.config import Settings
from entrypoints.containers.identity import INVALID_API_KEY_LIMITS


class InMemoryCatalogAdapters(containers.DeclarativeContainer):
    shared = providers.DependenciesContainer()

    catalog = providers.Singleton(InMemoryCatalog, shared.clock)
    content_repository = catalog
    content_search = catalog
    change_feed = providers.Singleton(InMemoryCatalogChangeFeed, catalog)
    search_index = providers.Singleton(InMemorySearchIndex)
    next_episode_finder = providers.Singleton(InMemoryNextEpisodeFinder, catalog)
    catalog_changes = providers.Singleton(InMemoryCatalogChanges, catalog)


class InMemoryIdentityAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()

    store = providers.Singleton(InMemoryIdentityStore)
    uow = store
    api_key_lookup = store
    password_hasher = providers.Singleton(fast_test_hasher)
    backup_code_hasher = providers.Singleton(fast_test_hasher)
    login_throttle = providers.Singleton(
        InMemoryLoginThrottle,
        shared.clock,
        account_limit=settings.provided.login_failures_per_account,
        account_ip_limit=settings.provided.login_failures_per_account_and_ip,
        ip_limit=settings.provided.login_failures_per_ip,
        window_seconds=settings.provided.login_failure_window_seconds,
    )
    invalid_api_key_throttle = providers.Singleton(InMemoryLoginThrottle, shared.clock, **INVALID_API_KEY_LIMITS)
    registration_limiter = providers.Singleton(
        InMemoryRegistrationLimiter,
        shared.clock,
        per_ip=settings.provided.registrations_per_ip,
        ip_window_seconds=settings.provided.registration_ip_window_seconds,
        per_minute=settings.provided.registrations_per_minute,
    )
    revoked_sessions = providers.Singleton(
        InMemoryRevokedSessions,
        shared.clock,
        remember_for=providers.Factory(timedelta, seconds=settings.provided.access_token_ttl_seconds, minutes=1),
    )
    api_key_rate_limiter = providers.Singleton(InMemoryApiKeyRateLimiter, shared.clock)
    api_key_usage = providers.Singleton(InMemoryApiKeyUsageRecorder, shared.clock)
    leak_report_limiter = providers.Singleton(
        InMemoryClientRateLimiter, shared.clock, limit=settings.provided.leaked_key_reports_per_ip
    )
    factor_attempt_guard = providers.Singleton(
        InMemoryFactorAttemptGuard,
        shared.clock,
        per_account=settings.provided.mfa_attempts_per_account,
        per_ip_and_account=settings.provided.mfa_attempts_per_ip,
        per_ip=settings.provided.mfa_attempts_per_ip_all_accounts,
    )
    # outgoing mail: the same box as the real set (pure CPU; its key file lives in the test's data_dir)
    secret_box = providers.Singleton(
        load_or_create_secret_box,
        settings.provided.mfa_encryption_key,
        settings.provided.mfa_encryption_previous_keys,
        settings.provided.mfa_key_path,
    )

    # provider sign-in: flows between authorize and callback, one-time login codes
    provider_flows = providers.Singleton(InMemoryProviderFlowStore, shared.clock, ttl=FLOW_TTL)
    login_codes = providers.Singleton(InMemoryLoginCodeStore, shared.clock, ttl=LOGIN_CODE_TTL)

    # TV sign-in (RFC 8628)
    device_authorizations = providers.Singleton(InMemoryDeviceAuthorizationStore, shared.clock)
    device_code_guess_guard = providers.Singleton(
        InMemoryDeviceCodeGuessGuard, shared.clock, per_ip=settings.provided.sign_in.device_code_guesses_per_ip
    )
    device_start_limiter = providers.Singleton(
        InMemoryClientRateLimiter,
        shared.clock,
        limit=settings.provided.sign_in.device_authorizations_per_ip,
        window_seconds=DEVICE_LIMITS_WINDOW_SECONDS,
    )

    # verified email and password reset
    email_verification_limiter = providers.Singleton(
        InMemoryClientRateLimiter,
        shared.clock,
        limit=settings.provided.sign_in.email_verifications_per_hour,
        window_seconds=3600,
    )
    password_reset_address_limiter = providers.Singleton(
        InMemoryClientRateLimiter,
        shared.clock,
        limit=settings.provided.sign_in.password_resets_per_hour,
        window_seconds=3600,
    )
    password_reset_ip_limiter = providers.Singleton(
        InMemoryClientRateLimiter,
        shared.clock,
        limit=providers.Callable(operator.mul, settings.provided.sign_in.password_resets_per_hour, 4),
        window_seconds=3600,
    )


class InMemoryPlaybackAdapters(containers.DeclarativeContainer):
    shared = providers.DependenciesContainer()
    catalog = providers.DependenciesContainer()

    progress_archive = providers.Singleton(InMemoryProgressArchive)
    continue_watching_query = providers.Singleton(
        InMemoryContinueWatching, progress_archive, catalog.content_repository
    )
    sync_broker = providers.Singleton(InMemorySyncBroker)
    progress_store = providers.Singleton(InMemoryProgressStore, progress_archive, sync_broker)
    journal_backlog = progress_store  # the store is its own journal
    journal_tracing = providers.Singleton(InMemoryWorkTracing)


class InMemoryOperationsAdapters(containers.DeclarativeContainer):
    shared = providers.DependenciesContainer()

    breaker_states = providers.Singleton(InMemoryBreakerStates)


class InMemoryHealthAdapters(containers.DeclarativeContainer):
    """Dependencies that answer until a test tells them to refuse or hang; Qdrant only when
    configured, as in the real set."""

    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()

    postgres_ping = providers.Singleton(InMemoryPing)
    redis_ping = providers.Singleton(InMemoryPing)
    qdrant_ping = providers.Singleton(
        lambda url: InMemoryPing() if url else None,
        settings.provided.qdrant_url,
    )
    heartbeats = providers.Singleton(InMemoryHeartbeatStore, shared.clock)


def swap(slot: providers.Container, replacement: containers.Container) -> None:
    """Put `replacement` in a context's adapter slot of the root container. A provider it lacks
    would silently reach the real server; it fails here instead, by name."""
    inputs = (providers.Dependency, providers.DependenciesContainer)
    wanted = {name for name, provider in slot.providers.items() if not isinstance(provider, inputs)}
    missing = sorted(wanted - set(replacement.providers))
    if missing:
        raise LookupError(f"{type(replacement).__name__} lacks {', '.join(missing)}: add in-memory twins")
    slot.container.override_providers(**{name: replacement.providers[name] for name in wanted})
