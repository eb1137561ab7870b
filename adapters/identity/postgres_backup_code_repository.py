from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import backup_codes
from domain.identity.mfa import BackupCode


class PostgresBackupCodeRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def replace_all(self, user_id: UUID, codes: list[BackupCode]) -> None:
        await self.delete_all(user_id)
        if codes:
            await self._conn.execute(
                insert(backup_codes),
                [
                    {
                        "id": c.id,
                        "user_id": c.user_id,
                        "code_hash": c.code_hash,
                        "created_at": c.created_at,
                        "used_at": c.used_at,
                    }
                    for c in codes
                ],
            )

    async def unused(self, user_id: UUID) -> list[BackupCode]:
        result = await self._conn.execute(
            select(backup_codes).where(backup_codes.c.user_id == user_id, backup_codes.c.used_at.is_(None))
        )
        return [BackupCode(**dict(row)) for row in result.mappings()]

    async def consume(self, code_id: UUID, now: datetime) -> bool:
        result = await self._conn.execute(
            update(backup_codes)
            .where(backup_codes.c.id == code_id, backup_codes.c.used_at.is_(None))
            .values(used_at=now)
        )
        return result.rowcount == 1

    async def delete_all(self, user_id: UUID) -> None:
        await self._conn.execute(delete(backup_codes).where(backup_codes.c.user_id == user_id))
