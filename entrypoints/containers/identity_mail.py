"""Identity's outgoing mail: the queue the identity unit of work writes to, the Mailer the
worker sends through (SMTP when MG_SMTP_URL is set, else the outbox directory), and the use case."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.identity.postgres_mail_backlog import PostgresMailBacklogReader
from adapters.identity.postgres_mail_queue import PostgresMailQueue
from adapters.shared.opentelemetry_work_tracing import OpenTelemetryWorkTracing
from adapters.shared.outbox_directory_mailer import OutboxDirectoryMailer
from adapters.shared.smtp_mailer import SmtpMailer
from application.identity.deliver_queued_mail import DeliverQueuedMail
from application.shared.mail_ports import Mailer
from application.shared.ports import Clock
from entrypoints.config import Settings
from entrypoints.telemetry.mail_metrics import PrometheusMailOutcomes


def configured_mailer(settings: Settings, clock: Clock) -> Mailer:
    sign_in = settings.sign_in
    if sign_in.smtp_url:
        return SmtpMailer(
            sign_in.smtp_url,
            sign_in.mail_from,
            clock,
            timeout_seconds=sign_in.smtp_timeout_seconds,
            ca_file=sign_in.smtp_ca_file,
        )
    return OutboxDirectoryMailer(settings.outbox_dir, sign_in.mail_from, clock)


class IdentityMailAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    identity_adapters = providers.DependenciesContainer()

    mailer = providers.Singleton(configured_mailer, settings, shared.clock)
    mail_queue = providers.Singleton(PostgresMailQueue, shared.engine, identity_adapters.secret_box)
    tracing = providers.Singleton(OpenTelemetryWorkTracing, system="postgresql", destination="mail_queue")
    mail_backlog = providers.Singleton(PostgresMailBacklogReader, shared.engine)  # what /health/aggregate reads


class IdentityMail(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    identity_adapters = providers.DependenciesContainer()

    adapters = providers.Container(
        IdentityMailAdapters, settings=settings, shared=shared, identity_adapters=identity_adapters
    )
    deliver_queued_mail = providers.Singleton(
        DeliverQueuedMail,
        queue=adapters.mail_queue,
        mailer=adapters.mailer,
        clock=shared.clock,
        tracing=adapters.tracing,
        outcomes=providers.Singleton(PrometheusMailOutcomes),
    )
