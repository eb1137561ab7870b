"""Platform registrations in memory, and a unit of work that commits them together with the
in-memory identity store's security log (as the PostgreSQL one does in one transaction)."""

from __future__ import annotations

from types import TracebackType
from typing import Self
from uuid import UUID

from adapters.shared.in_memory_unit_of_work import InMemoryStore, InMemoryUnitOfWork
from application.identity.account_ports import (
    IdentityUnitOfWork,
    IdentityUnitOfWorkFactory,
    SecurityEventRepository,
)
from domain.ingestion.errors import PlatformAlreadyRegistered
from domain.ingestion.registration import WebhookRegistration

RegistrationState = dict[UUID, WebhookRegistration]


class InMemoryWebhookRegistrations:
    def __init__(self, state: RegistrationState) -> None:
        self._state = state

    async def add(self, registration: WebhookRegistration) -> None:
        if any(r.platform == registration.platform and r.enabled for r in self._state.values()):
            raise PlatformAlreadyRegistered(
                f"The platform '{registration.platform}' is already registered; disable it first."
            )
        self._state[registration.id] = registration

    async def get(self, registration_id: UUID) -> WebhookRegistration | None:
        return self._state.get(registration_id)

    async def save(self, registration: WebhookRegistration) -> None:
        self._state[registration.id] = registration

    async def list_all(self) -> list[WebhookRegistration]:
        return sorted(self._state.values(), key=lambda r: (r.created_at, r.id))


class _RegistrationsOnly(InMemoryUnitOfWork[RegistrationState]):
    registrations: InMemoryWebhookRegistrations

    def bind(self, working: RegistrationState) -> None:
        self.registrations = InMemoryWebhookRegistrations(working)


class InMemoryRegistrationUnitOfWork:
    registrations: InMemoryWebhookRegistrations
    security_events: SecurityEventRepository

    def __init__(self, store: InMemoryStore[RegistrationState], identity: IdentityUnitOfWork) -> None:
        self._own = _RegistrationsOnly(store)
        self._identity = identity

    async def __aenter__(self) -> Self:
        await self._identity.__aenter__()
        try:
            await self._own.__aenter__()
        except BaseException:
            await self._identity.__aexit__(None, None, None)
            raise
        self.registrations = self._own.registrations
        self.security_events = self._identity.security_events
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._own.__aexit__(exc_type, exc, tb)
        finally:
            await self._identity.__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        await self._own.commit()
        await self._identity.commit()


class InMemoryRegistrationStore(InMemoryStore[RegistrationState]):
    """The unit-of-work factory (call it) and receiving's lookup, over one committed state."""

    def __init__(self, identity: IdentityUnitOfWorkFactory) -> None:
        super().__init__({})
        self._identity = identity

    def __call__(self) -> InMemoryRegistrationUnitOfWork:
        return InMemoryRegistrationUnitOfWork(self, self._identity())

    async def enabled_for(self, platform: str) -> WebhookRegistration | None:
        return next((r for r in self.state.values() if r.platform == platform and r.enabled), None)
