"""Whether a user id is an account (the users table)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.tables import users


class PostgresViewerDirectory:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def exists(self, user_id: UUID) -> bool:
        async with self._engine.connect() as conn:
            return await conn.scalar(select(users.c.id).where(users.c.id == user_id)) is not None
