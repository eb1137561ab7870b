"""The operations context: what the service needs to run well. Its health part: the checks behind
GET /health/aggregate and /health/ready, and the heartbeats every process publishes; and the
circuit breakers every outbound call goes through."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from adapters.operations.health_pings import HttpxQdrantPing, PostgresPing, RedisPing
from adapters.operations.health_redis_heartbeats import RedisHeartbeatStore
from adapters.operations.purgatory_circuit_breaker import PurgatoryCircuitBreaker
from adapters.operations.redis_breaker_states import RedisBreakerStates
from adapters.operations.redis_or_local_breaker_states import RedisOrLocalBreakerStates
from application.catalog.sync_search_index import ReadSearchIndexLag
from application.identity.mail_backlog_ports import MailBacklogReader
from application.ingestion.stream_ports import IngestionStream
from application.operations.aggregate_health import AggregateHealth
from application.operations.breaker_health_reader import BreakerHealthReader
from application.operations.breakers import ListBreakers, OverrideBreaker
from application.operations.check_readiness import CheckReadiness
from application.operations.health_breaker_checks import BreakerHealthChecks
from application.operations.health_checks import (
    ArchiveBacklogCheck,
    FixedHealthChecks,
    HeartbeatCheck,
    IngestionBacklogCheck,
    MailQueueCheck,
    ResponseTimeCheck,
    SearchIndexCheck,
)
from application.operations.health_ports import HealthCheck, Ping
from application.operations.heartbeat_ports import HeartbeatStore
from application.operations.heartbeats import PublishHeartbeat, WithdrawHeartbeat
from application.playback.progress_journal_ports import JournalBacklogReader
from application.shared.ports import Clock
from domain.operations.breakers import BreakerPolicies, BreakerPolicy
from domain.operations.health import CheckSpec
from entrypoints.config import Settings
from entrypoints.containers.recommendations_index import BREAKER_POLICIES as RECOMMENDATION_BREAKERS
from entrypoints.telemetry.breaker_metrics import PrometheusBreakerObserver

# One breaker per outbound dependency, declared here by the context that calls it (the identity
# providers, Qdrant, the platforms' metadata clients), e.g. BreakerPolicy("github", timeout_seconds=3).
BREAKER_POLICIES: tuple[BreakerPolicy, ...] = (
    # The identity providers (sign-in): one breaker per provider and per request to it. Their calls
    # are slow (a token exchange is a round trip across the internet): slow means over 5 s, and
    # only when most calls are. The adapters stop waiting at MG_PROVIDER_TIMEOUT_SECONDS (10 s);
    # the breaker's own timeout is the backstop above it.
    *(
        BreakerPolicy(
            name, slow_call_seconds=5.0, slow_call_rate_threshold=0.8, timeout_seconds=15.0, wait_seconds=30.0
        )
        for name in ("github", "google")
    ),
    *RECOMMENDATION_BREAKERS,  # `qdrant`, declared beside the index that calls it
)

# What the service cannot serve without (critical: a failure fails the report, 503), and what
# each dependency's absence costs the people using it.
POSTGRES = CheckSpec(
    "postgres",
    "responseTime",
    "datastore",
    critical=True,
    affected_features=("accounts", "sign-in", "api-keys", "catalog", "continue-watching"),
    observed_unit="ms",
)
REDIS = CheckSpec(
    "redis",
    "responseTime",
    "datastore",
    critical=True,
    affected_features=("sign-in", "sessions", "rate-limits", "playback-progress", "sync"),
    observed_unit="ms",
)
QDRANT = CheckSpec(
    "qdrant", "responseTime", "datastore", critical=False, affected_features=("recommendations",), observed_unit="ms"
)
WORKERS = CheckSpec(
    "worker",
    "heartbeat",
    "component",
    critical=False,
    affected_features=("progress-archive", "housekeeping"),
    observed_unit="s",
)
API_PROCESSES = CheckSpec("api", "heartbeat", "component", critical=False, observed_unit="s")
ARCHIVE_BACKLOG = CheckSpec(
    "playback-archive",
    "backlog",
    "component",
    critical=False,
    affected_features=("progress-archive", "watch-history"),
    observed_unit="s",
)
MAIL_QUEUE = CheckSpec(
    "mail",
    "queue",
    "component",
    critical=False,
    affected_features=("email-verification", "password-reset"),
    observed_unit="s",
)
INGESTION_BACKLOG = CheckSpec(
    "ingestion",
    "backlog",
    "component",
    critical=False,
    affected_features=("platform-webhooks", "catalog"),
    observed_unit="s",
)
SEARCH_INDEX = CheckSpec(
    "search-index",
    "lag",
    "component",
    critical=False,
    affected_features=("search",),
    observed_unit="s",
)


def _seconds(milliseconds: int) -> float:
    return milliseconds / 1000


def qdrant_ping(url: str | None, timeout_ms: int) -> HttpxQdrantPing | None:
    return HttpxQdrantPing(url, _seconds(timeout_ms)) if url else None


def core_health_checks(
    settings: Settings,
    postgres: Ping,
    redis: Ping,
    qdrant: Ping | None,
    heartbeats: HeartbeatStore,
    backlog: JournalBacklogReader,
    mail_backlog: MailBacklogReader,
    clock: Clock,
    ingestion_stream: IngestionStream | None = None,
    search_index_lag: ReadSearchIndexLag | None = None,
) -> FixedHealthChecks:
    ttl = timedelta(seconds=settings.heartbeat_ttl_seconds)
    checks: list[HealthCheck] = [ResponseTimeCheck(POSTGRES, postgres), ResponseTimeCheck(REDIS, redis)]
    if qdrant is not None:  # configured: Qdrant arrives with recommendations
        checks.append(ResponseTimeCheck(QDRANT, qdrant))
    checks += [
        HeartbeatCheck(WORKERS, "worker", heartbeats, ttl),
        HeartbeatCheck(API_PROCESSES, "api", heartbeats, ttl),
        ArchiveBacklogCheck(ARCHIVE_BACKLOG, backlog, timedelta(seconds=settings.archive_backlog_warn_seconds)),
        MailQueueCheck(MAIL_QUEUE, mail_backlog, clock, timedelta(seconds=settings.sign_in.mail_backlog_warn_seconds)),
    ]
    if ingestion_stream is not None:
        bound = timedelta(seconds=settings.ingestion.backlog_warn_seconds)
        checks.append(IngestionBacklogCheck(INGESTION_BACKLOG, ingestion_stream, bound))
    if search_index_lag is not None:  # search reads the Tantivy index
        bound = timedelta(seconds=settings.catalog_search.lag_warn_seconds)
        checks.append(SearchIndexCheck(SEARCH_INDEX, search_index_lag, bound))
    return FixedHealthChecks(tuple(checks))


def forget_after(ttl_seconds: int) -> timedelta:
    """How long a silent process stays listed (as not heard from) before it is dropped."""
    return timedelta(seconds=4 * ttl_seconds)


class HealthAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()

    postgres_ping = providers.Singleton(PostgresPing, shared.engine)
    redis_ping = providers.Singleton(RedisPing, shared.redis)
    qdrant_ping = providers.Singleton(
        qdrant_ping, settings.provided.qdrant_url, settings.provided.health_check_timeout_ms
    )
    heartbeats = providers.Singleton(RedisHeartbeatStore, shared.redis)


class Health(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()
    journal_backlog = providers.Dependency()  # the playback context's, given by the root
    mail_backlog = providers.Dependency()  # identity mail's, given by the root
    breakers = providers.Dependency()  # the breakers' read API (Operations.breaker_reader), given by the root
    ingestion_stream = providers.Dependency()  # webhook ingestion's stream (its backlog), given by the root
    search_index_lag = providers.Dependency()  # catalog's ReadSearchIndexLag, or None (search reads PostgreSQL)

    core_checks = providers.Singleton(
        core_health_checks,
        settings,
        adapters.postgres_ping,
        adapters.redis_ping,
        adapters.qdrant_ping,
        adapters.heartbeats,
        journal_backlog,
        mail_backlog,
        shared.clock,
        ingestion_stream,
        search_index_lag,
    )
    # One `breaker:<name>` check per declared breaker (a tripped one warns).
    breaker_checks = providers.Singleton(BreakerHealthChecks, breakers)
    check_sources = providers.List(core_checks, breaker_checks)

    aggregate_health = providers.Singleton(
        AggregateHealth,
        check_sources,
        shared.clock,
        deadline_seconds=providers.Callable(_seconds, settings.provided.health_deadline_ms),
        check_timeout_seconds=providers.Callable(_seconds, settings.provided.health_check_timeout_ms),
        cache_for=providers.Factory(timedelta, seconds=settings.provided.health_cache_seconds),
    )
    check_readiness = providers.Singleton(
        CheckReadiness,
        providers.Dict(postgres=adapters.postgres_ping, redis=adapters.redis_ping),
        timeout_seconds=providers.Callable(_seconds, settings.provided.health_check_timeout_ms),
    )
    publish_heartbeat = providers.Singleton(
        PublishHeartbeat,
        adapters.heartbeats,
        forget_after=providers.Callable(forget_after, settings.provided.heartbeat_ttl_seconds),
    )
    withdraw_heartbeat = providers.Singleton(WithdrawHeartbeat, adapters.heartbeats)


class OperationsAdapters(containers.DeclarativeContainer):
    """The breakers' states: in Redis, shared by every process, and in this process while Redis
    does not answer."""

    shared = providers.DependenciesContainer()

    breaker_states = providers.Singleton(
        RedisOrLocalBreakerStates, providers.Singleton(RedisBreakerStates, shared.redis)
    )


class Operations(containers.DeclarativeContainer):
    shared = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()
    # The edge to identity, given by the root: overrides are written in the administrator's security log.
    identity_uow = providers.Dependency()

    clock = shared.clock
    breaker_policies = providers.Singleton(BreakerPolicies, providers.Object(BREAKER_POLICIES))
    circuit_breaker = providers.Singleton(
        PurgatoryCircuitBreaker,
        breaker_policies,
        adapters.breaker_states,
        clock,
        observer=providers.Singleton(PrometheusBreakerObserver),
    )
    list_breakers = providers.Singleton(ListBreakers, breaker_policies, adapters.breaker_states, clock)
    breaker_reader = providers.Singleton(BreakerHealthReader, breaker_policies, adapters.breaker_states, clock)
    override_breaker = providers.Singleton(
        OverrideBreaker,
        policies=breaker_policies,
        states=adapters.breaker_states,
        uow=identity_uow,
        clock=clock,
        ids=shared.ids,
    )
