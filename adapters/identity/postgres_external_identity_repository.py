from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import external_identities
from domain.identity.external_identity import ExternalIdentity, IdentityLinkedElsewhere, ProviderAlreadyLinked

_table = external_identities


def _identity(row: RowMapping) -> ExternalIdentity:
    return ExternalIdentity(
        provider=row["provider"],
        subject=row["subject"],
        user_id=row["user_id"],
        email=row["email"],
        email_verified=row["email_verified"],
        login=row["login"],
        linked_at=row["linked_at"],
        last_sign_in_at=row["last_sign_in_at"],
    )


class PostgresExternalIdentityRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, identity: ExternalIdentity) -> None:
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(
                    insert(_table).values(
                        provider=identity.provider,
                        subject=identity.subject,
                        user_id=identity.user_id,
                        email=identity.email,
                        email_verified=identity.email_verified,
                        login=identity.login,
                        linked_at=identity.linked_at,
                        last_sign_in_at=identity.last_sign_in_at,
                    )
                )
        except IntegrityError as error:
            # Two unique keys: (provider, subject) is the identity's, (user_id, provider) the account's.
            if await self.get(identity.provider, identity.subject) is not None:
                raise IdentityLinkedElsewhere(
                    f"This {identity.provider} identity is linked to an account already."
                ) from error
            raise ProviderAlreadyLinked(f"This account has a {identity.provider} identity linked already.") from error

    async def get(self, provider: str, subject: str) -> ExternalIdentity | None:
        result = await self._conn.execute(
            select(_table).where(_table.c.provider == provider, _table.c.subject == subject)
        )
        row = result.mappings().first()
        return _identity(row) if row else None

    async def list_for_user(self, user_id: UUID, *, for_update: bool = False) -> list[ExternalIdentity]:
        query = select(_table).where(_table.c.user_id == user_id).order_by(_table.c.provider)
        result = await self._conn.execute(query.with_for_update() if for_update else query)
        return [_identity(row) for row in result.mappings()]

    async def remove(self, user_id: UUID, provider: str) -> bool:
        result = await self._conn.execute(
            delete(_table).where(_table.c.user_id == user_id, _table.c.provider == provider)
        )
        return result.rowcount == 1

    async def touch(self, provider: str, subject: str, now: datetime) -> None:
        await self._conn.execute(
            update(_table).where(_table.c.provider == provider, _table.c.subject == subject).values(last_sign_in_at=now)
        )
