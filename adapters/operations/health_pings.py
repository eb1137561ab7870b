"""Pings for the health checks: PostgreSQL (``SELECT 1`` on a pooled connection), Redis
(``PING``) and Qdrant (``GET /readyz`` over HTTP). Each raises when its server refuses or breaks;
the caller bounds how long they may take (a frozen server would hold them forever)."""

from __future__ import annotations

import httpx
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


class PostgresPing:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def __call__(self) -> None:
        async with self._engine.connect() as conn:
            await conn.execute(text("SELECT 1"))


class RedisPing:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def __call__(self) -> None:
        if not await self._redis.ping():
            raise ConnectionError("Redis did not answer PONG")


class HttpxQdrantPing:
    """Qdrant's readiness endpoint: 200 once it can serve. A client per ping, since pings come
    seconds apart and an idle pooled connection would only be one more thing to close."""

    def __init__(self, url: str, timeout_seconds: float) -> None:
        self._url = url.rstrip("/") + "/readyz"
        self._timeout = timeout_seconds

    async def __call__(self) -> None:
        async with httpx.AsyncClient(timeout=self._timeout) as client:
            response = await client.get(self._url)
        if response.status_code != 200:
            raise ConnectionError(f"Qdrant answered {response.status_code} to GET /readyz")
