"""Where platform registrations are kept, and how receiving finds a platform's."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from application.identity.account_ports import SecurityEventRepository
from domain.ingestion.registration import WebhookRegistration


class WebhookRegistrations(Protocol):
    async def add(self, registration: WebhookRegistration) -> None:
        """Raise PlatformAlreadyRegistered when the platform has an enabled registration."""

    async def get(self, registration_id: UUID) -> WebhookRegistration | None:
        """For a change: the registration stays locked until the unit of work ends."""

    async def save(self, registration: WebhookRegistration) -> None:
        """Write back a registration read with ``get`` (its secrets, overlap, disabling)."""

    async def list_all(self) -> list[WebhookRegistration]:
        """Oldest first, disabled ones included."""


class RegistrationUnitOfWork(Protocol):
    """One transaction over the registrations and the administrators' security log: a change and
    its log entry are written together or not at all. Rolled back unless ``commit`` is called."""

    registrations: WebhookRegistrations
    security_events: SecurityEventRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class RegistrationUnitOfWorkFactory(Protocol):
    def __call__(self) -> RegistrationUnitOfWork: ...


class RegistrationLookup(Protocol):
    """What receiving reads, outside any unit of work."""

    async def enabled_for(self, platform: str) -> WebhookRegistration | None: ...
