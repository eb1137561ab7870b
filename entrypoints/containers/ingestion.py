"""The ingestion context's receiving side: platform registrations (secrets sealed with identity's
secret box), the normalisers, and the intake that deduplicates deliveries and appends them to
the stream."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from adapters.ingestion.normalisers import discovered_normalisers
from adapters.ingestion.postgres_webhook_registrations import (
    PostgresRegistrationLookup,
    PostgresRegistrationUnitOfWorkFactory,
)
from adapters.ingestion.redis_delivery_intake import RedisDeliveryIntake
from application.ingestion.receive_webhook import ReceiveWebhook, ReceivingLimits
from application.ingestion.receiving_registrations import ReceivingRegistrations
from application.ingestion.registrations import (
    DisableRegistration,
    EndSecretOverlap,
    GetRegistration,
    ListRegistrations,
    RegisterPlatform,
    RotateSecret,
)
from entrypoints.config import Settings
from entrypoints.telemetry.webhook_metrics import PrometheusReceivingObserver


class IngestionAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    identity_adapters = providers.DependenciesContainer()  # its secret_box seals the signing secrets

    # receiving: registrations (PostgreSQL) and the intake (Redis: dedup + back-pressure + append)
    registrations = providers.Singleton(PostgresRegistrationUnitOfWorkFactory, shared.engine)
    registration_lookup = providers.Singleton(PostgresRegistrationLookup, shared.reads)
    intake = providers.Singleton(RedisDeliveryIntake, shared.redis)
    secret_box = identity_adapters.secret_box


class Ingestion(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()
    # The edge to identity, given by the root: registration changes are written in the administrator's security log.
    identity_uow = providers.Dependency()

    normalisers = providers.Singleton(discovered_normalisers)

    # registrations and receiving: use cases
    receiving_registrations = providers.Singleton(
        ReceivingRegistrations,
        adapters.registration_lookup,
        adapters.secret_box,
        shared.clock,
        providers.Factory(timedelta, seconds=settings.provided.ingestion.registration_cache_seconds),
    )
    register_platform = providers.Factory(
        RegisterPlatform,
        uow=adapters.registrations,
        normalisers=normalisers,
        box=adapters.secret_box,
        secrets=shared.secrets,
        ids=shared.ids,
        clock=shared.clock,
        receiving=receiving_registrations,
    )
    list_registrations = providers.Factory(ListRegistrations, uow=adapters.registrations)
    get_registration = providers.Factory(GetRegistration, uow=adapters.registrations)
    rotate_secret = providers.Factory(
        RotateSecret,
        uow=adapters.registrations,
        box=adapters.secret_box,
        secrets=shared.secrets,
        ids=shared.ids,
        clock=shared.clock,
        overlap=providers.Factory(timedelta, hours=settings.provided.ingestion.secret_overlap_hours),
        receiving=receiving_registrations,
    )
    end_secret_overlap = providers.Factory(
        EndSecretOverlap,
        uow=adapters.registrations,
        ids=shared.ids,
        clock=shared.clock,
        receiving=receiving_registrations,
    )
    disable_registration = providers.Factory(
        DisableRegistration,
        uow=adapters.registrations,
        ids=shared.ids,
        clock=shared.clock,
        receiving=receiving_registrations,
    )
    receiving_observer = providers.Singleton(PrometheusReceivingObserver)
    receiving_limits = providers.Singleton(
        ReceivingLimits,
        max_body_bytes=settings.provided.ingestion.max_body_bytes,
        timestamp_tolerance=providers.Factory(
            timedelta, seconds=settings.provided.ingestion.timestamp_tolerance_seconds
        ),
        dedup_horizon=providers.Factory(timedelta, hours=settings.provided.ingestion.dedup_horizon_hours),
        backlog_limit=settings.provided.ingestion.backlog_limit,
        retry_after_seconds=settings.provided.ingestion.backlog_retry_after_seconds,
    )
    receive_webhook = providers.Singleton(
        ReceiveWebhook,
        registrations=receiving_registrations,
        normalisers=normalisers,
        intake=adapters.intake,
        observer=receiving_observer,
        clock=shared.clock,
        ids=shared.ids,
        limits=receiving_limits,
    )
