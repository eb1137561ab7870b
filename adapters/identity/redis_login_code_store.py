from __future__ import annotations

import json
from datetime import datetime, timedelta
from uuid import UUID

from redis.asyncio import Redis

from application.identity.external_identity_ports import LoginGrant


def _key(code_digest: str) -> str:
    return f"mg:login-code:{code_digest}"


class RedisLoginCodeStore:
    """A key per login code, named by the code's digest, expiring after ``ttl``; GETDEL takes it
    once, so of two exchanges racing with one code only one gets the grant."""

    def __init__(self, redis: Redis, *, ttl: timedelta) -> None:
        self._redis = redis
        self._ttl_ms = int(ttl.total_seconds() * 1000)

    async def put(self, code_digest: str, grant: LoginGrant) -> None:
        value = {"user_id": str(grant.user_id), "provider": grant.provider, "auth_time": grant.auth_time.isoformat()}
        await self._redis.set(_key(code_digest), json.dumps(value), px=self._ttl_ms)

    async def take(self, code_digest: str) -> LoginGrant | None:
        raw = await self._redis.getdel(_key(code_digest))
        if raw is None:
            return None
        value = json.loads(raw)
        return LoginGrant(
            user_id=UUID(value["user_id"]),
            provider=value["provider"],
            auth_time=datetime.fromisoformat(value["auth_time"]),
        )
