from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import api_keys
from domain.identity.api_key import ApiKey


def _api_key(row: RowMapping) -> ApiKey:
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
        return _api_key(row) if row else None

    async def get(self, key_id: UUID) -> ApiKey | None:
        row = (await self._conn.execute(select(api_keys).where(api_keys.c.id == key_id))).mappings().first()
        return _api_key(row) if row else None

    async def list_for_user(self, user_id: UUID) -> list[ApiKey]:
        result = await self._conn.execute(
            select(api_keys).where(api_keys.c.user_id == user_id).order_by(api_keys.c.created_at.desc(), api_keys.c.id)
        )
        return [_api_key(row) for row in result.mappings()]

    async def revoke(self, key_id: UUID, now: datetime) -> bool:
        result = await self._conn.execute(
            update(api_keys).where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None)).values(revoked_at=now)
        )
        return result.rowcount == 1

    async def record_use(self, key_id: UUID, at: datetime, ip: str | None) -> None:
        await self._conn.execute(
            update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=at, last_used_ip=ip)
        )
