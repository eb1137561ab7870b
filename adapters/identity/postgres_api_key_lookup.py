from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.identity.postgres_api_key_repository import PostgresApiKeyRepository
from domain.identity.api_key import ApiKey


class PostgresApiKeyLookup:
    def __init__(self, reads: AsyncEngine) -> None:
        self._reads = reads

    async def find_by_digest(self, digest: str) -> ApiKey | None:
        async with self._reads.connect() as conn:
            return await PostgresApiKeyRepository(conn).get_by_digest(digest)
