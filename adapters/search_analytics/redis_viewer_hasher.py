"""Viewer hashes with the day's salt in Redis: the first process to need a day's salt makes it
(``SET NX``), every process reads the same one back, and Redis forgets it after two days."""

from __future__ import annotations

from datetime import date

from redis.asyncio import Redis

from adapters.search_analytics.keyed_viewer_hash import SALT_BYTES, day_key, keyed_viewer_hash
from application.shared.ports import SecretGenerator

SALT_TTL_SECONDS = 2 * 24 * 3600
_DAYS_REMEMBERED = 3


def salt_key(day: date) -> str:
    return f"mg:search:salt:{day.isoformat()}"


class RedisViewerHasher:
    def __init__(self, redis: Redis, server_key: bytes, secrets: SecretGenerator) -> None:
        self.redis = redis
        self.server_key = server_key
        self.secrets = secrets
        self._day_keys: dict[date, bytes] = {}  # this process's cache: one Redis round trip a day

    async def hash(self, viewer_key: str, day: date) -> int:
        key = self._day_keys.get(day)
        if key is None:
            key = day_key(self.server_key, await self._salt(day))
            self._day_keys[day] = key
            for old in sorted(self._day_keys)[:-_DAYS_REMEMBERED]:
                del self._day_keys[old]
        return keyed_viewer_hash(key, viewer_key)

    async def _salt(self, day: date) -> bytes:
        name = salt_key(day)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(name, self.secrets.random_bytes(SALT_BYTES), nx=True, ex=SALT_TTL_SECONDS)
            pipe.get(name)
            _, salt = await pipe.execute()
        return bytes(salt)
