from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.identity.postgres_api_key_repository import api_key_from_row
from adapters.postgres.tables import api_keys, users
from application.identity.api_key_ports import FoundApiKey


class PostgresApiKeyLookup:
    def __init__(self, reads: AsyncEngine) -> None:
        self._reads = reads

    async def find_by_digest(self, digest: str) -> FoundApiKey | None:
        """The key and its owner's scopes in one query (a join on the owner's primary key)."""
        query = (
            select(api_keys, users.c.scopes.label("owner_scopes"))
            .join(users, users.c.id == api_keys.c.user_id)
            .where(api_keys.c.digest == digest)
        )
        async with self._reads.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        if row is None:
            return None
        columns = {column.name: row[column.name] for column in api_keys.columns}
        return FoundApiKey(api_key=api_key_from_row(columns), owner_scopes=frozenset(row["owner_scopes"]))
