"""Platform registrations in PostgreSQL (``webhook_registrations``), their secrets sealed; a unit
of work that writes them and identity's security log in one transaction."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.identity.postgres_security_event_repository import PostgresSecurityEventRepository
from adapters.postgres.tables import webhook_registrations as table
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from domain.ingestion.errors import PlatformAlreadyRegistered
from domain.ingestion.registration import SignatureScheme, SigningSecret, WebhookRegistration


def _registration(row: RowMapping) -> WebhookRegistration:
    previous = (
        SigningSecret(row["previous_secret_key_id"], bytes(row["previous_sealed_secret"]))
        if row["previous_sealed_secret"] is not None
        else None
    )
    return WebhookRegistration(
        id=row["id"],
        platform=row["platform"],
        scheme=SignatureScheme(row["scheme"]),
        format=row["format"],
        description=row["description"],
        created_at=row["created_at"],
        secret=SigningSecret(row["secret_key_id"], bytes(row["sealed_secret"])),
        previous_secret=previous,
        previous_valid_until=row["previous_valid_until"],
        rotated_at=row["rotated_at"],
        disabled_at=row["disabled_at"],
    )


def _changeable_columns(registration: WebhookRegistration) -> dict[str, Any]:
    previous = registration.previous_secret
    return {
        "secret_key_id": registration.secret.key_id,
        "sealed_secret": registration.secret.sealed,
        "previous_secret_key_id": previous.key_id if previous else None,
        "previous_sealed_secret": previous.sealed if previous else None,
        "previous_valid_until": registration.previous_valid_until,
        "rotated_at": registration.rotated_at,
        "disabled_at": registration.disabled_at,
    }


class PostgresWebhookRegistrations:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, registration: WebhookRegistration) -> None:
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(
                    insert(table).values(
                        id=registration.id,
                        platform=registration.platform,
                        scheme=registration.scheme.value,
                        format=registration.format,
                        description=registration.description,
                        created_at=registration.created_at,
                        **_changeable_columns(registration),
                    )
                )
        except IntegrityError as error:
            raise PlatformAlreadyRegistered(
                f"The platform '{registration.platform}' is already registered; disable it first."
            ) from error

    async def get(self, registration_id: UUID) -> WebhookRegistration | None:
        query = select(table).where(table.c.id == registration_id).with_for_update()
        row = (await self._conn.execute(query)).mappings().first()
        return _registration(row) if row else None

    async def save(self, registration: WebhookRegistration) -> None:
        await self._conn.execute(
            update(table).where(table.c.id == registration.id).values(**_changeable_columns(registration))
        )

    async def list_all(self) -> list[WebhookRegistration]:
        rows = (await self._conn.execute(select(table).order_by(table.c.created_at, table.c.id))).mappings()
        return [_registration(row) for row in rows]


class PostgresRegistrationUnitOfWork(PostgresUnitOfWork):
    registrations: PostgresWebhookRegistrations
    security_events: PostgresSecurityEventRepository

    def bind(self, conn: AsyncConnection) -> None:
        self.registrations = PostgresWebhookRegistrations(conn)
        self.security_events = PostgresSecurityEventRepository(conn)


class PostgresRegistrationUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def __call__(self) -> PostgresRegistrationUnitOfWork:
        return PostgresRegistrationUnitOfWork(self._engine)


class PostgresRegistrationLookup:
    """Receiving's read: one statement, no transaction (give it the read-only engine)."""

    def __init__(self, reads: AsyncEngine) -> None:
        self._reads = reads

    async def enabled_for(self, platform: str) -> WebhookRegistration | None:
        query = select(table).where(table.c.platform == platform, table.c.disabled_at.is_(None))
        async with self._reads.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        return _registration(row) if row else None
