from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import api_keys
from domain.identity.api_key import ApiKey


def api_key_from_row(row: Mapping[str, Any]) -> ApiKey:
    return ApiKey(**{**dict(row), "scopes": frozenset(row["scopes"])})


class PostgresApiKeyRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, key: ApiKey) -> None:
        await self._conn.execute(
            insert(api_keys).values(
                id=key.id,
                user_id=key.user_id,
                name=key.name,
                digest=key.digest,
                prefix=key.prefix,
                last_four=key.last_four,
                scopes=sorted(key.scopes),
                rate_limit_per_minute=key.rate_limit_per_minute,
                created_at=key.created_at,
                expires_at=key.expires_at,
                revoked_at=key.revoked_at,
                last_used_at=key.last_used_at,
                last_used_ip=key.last_used_ip,
            )
        )

    async def get_by_digest(self, digest: str) -> ApiKey | None:
        row = (await self._conn.execute(select(api_keys).where(api_keys.c.digest == digest))).mappings().first()
        return api_key_from_row(row) if row else None

    async def get(self, key_id: UUID) -> ApiKey | None:
        row = (await self._conn.execute(select(api_keys).where(api_keys.c.id == key_id))).mappings().first()
        return api_key_from_row(row) if row else None

    async def list_for_user(self, user_id: UUID) -> list[ApiKey]:
        result = await self._conn.execute(
            select(api_keys).where(api_keys.c.user_id == user_id).order_by(api_keys.c.created_at.desc(), api_keys.c.id)
        )
        return [api_key_from_row(row) for row in result.mappings()]

    async def revoke(self, key_id: UUID, now: datetime) -> bool:
        result = await self._conn.execute(
            update(api_keys).where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None)).values(revoked_at=now)
        )
        return result.rowcount == 1

    async def record_use(self, key_id: UUID, at: datetime, ip: str | None) -> None:
        await self._conn.execute(
            update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=at, last_used_ip=ip)
        )

    async def remove_scope(self, user_id: UUID, scope: str) -> list[ApiKey]:
        # The row lock of the UPDATE serialises it with a concurrent revocation of the same key.
        carrying = (
            select(api_keys)
            .where(api_keys.c.user_id == user_id, api_keys.c.revoked_at.is_(None), api_keys.c.scopes.any_() == scope)
            .order_by(api_keys.c.created_at, api_keys.c.id)
            .with_for_update()
        )
        before = [api_key_from_row(row) for row in (await self._conn.execute(carrying)).mappings()]
        if before:
            await self._conn.execute(
                update(api_keys)
                .where(api_keys.c.id.in_([key.id for key in before]))
                .values(scopes=func.array_remove(api_keys.c.scopes, scope))
            )
        return before
