from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.postgres.tables import api_keys, security_events
from application.identity.account_ports import SecurityEventPage
from domain.identity.api_key import ApiKey
from domain.identity.security_event import SecurityEvent, SecurityEventKind


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


class PostgresApiKeyLookup:
    def __init__(self, reads: AsyncEngine) -> None:
        self._reads = reads

    async def find_by_digest(self, digest: str) -> ApiKey | None:
        async with self._reads.connect() as conn:
            return await PostgresApiKeyRepository(conn).get_by_digest(digest)


class PostgresSecurityEventRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, event: SecurityEvent) -> None:
        await self._conn.execute(
            insert(security_events).values(
                id=event.id,
                user_id=event.user_id,
                kind=event.kind.value,
                occurred_at=event.occurred_at,
                ip=event.ip,
                details=event.details,
            )
        )

    async def list_for_user(self, user_id: UUID, limit: int, offset: int) -> SecurityEventPage:
        mine = security_events.c.user_id == user_id
        total = await self._conn.scalar(select(func.count()).select_from(security_events).where(mine))
        result = await self._conn.execute(
            select(security_events)
            .where(mine)
            .order_by(security_events.c.occurred_at.desc(), security_events.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        items = tuple(
            SecurityEvent(**{**dict(row), "kind": SecurityEventKind(row["kind"])}) for row in result.mappings()
        )
        return SecurityEventPage(items=items, total=int(total or 0))
