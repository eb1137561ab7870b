"""The in-memory twin of identity's mail adapters (entrypoints/containers/identity_mail.py): mail
is delivered to an InMemoryMailer, from a queue fed by the in-memory identity store."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.identity.in_memory_mail_queue import InMemoryMailQueue
from adapters.shared.in_memory_mailer import InMemoryMailer
from adapters.shared.in_memory_work_tracing import InMemoryWorkTracing
from entrypoints.config import Settings


class InMemoryIdentityMailAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    identity_adapters = providers.DependenciesContainer()

    mailer = providers.Singleton(InMemoryMailer, settings.provided.sign_in.mail_from)
    mail_queue = providers.Singleton(InMemoryMailQueue, identity_adapters.uow)
    tracing = providers.Singleton(InMemoryWorkTracing)
    mail_backlog = mail_queue  # the in-memory queue answers for its own backlog
