from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import security_events
from application.identity.account_ports import SecurityEventPage
from domain.identity.security_event import SecurityEvent, SecurityEventKind


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
