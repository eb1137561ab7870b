from __future__ import annotations

import json
from datetime import datetime, timedelta
from uuid import UUID

from redis.asyncio import Redis

from application.identity.external_identity_ports import ProviderFlow


def _key(state_digest: str) -> str:
    return f"mg:oauth-flow:{state_digest}"


class RedisProviderFlowStore:
    """A key per flow, named by the state's digest, expiring after ``ttl``; GETDEL takes it once,
    so two callbacks racing with one state cannot both get it."""

    def __init__(self, redis: Redis, *, ttl: timedelta) -> None:
        self._redis = redis
        self._ttl_ms = int(ttl.total_seconds() * 1000)

    async def put(self, state_digest: str, flow: ProviderFlow) -> None:
        value = {
            "provider": flow.provider,
            "code_verifier": flow.code_verifier,
            "nonce": flow.nonce,
            "redirect_uri": flow.redirect_uri,
            "link_user_id": str(flow.link_user_id) if flow.link_user_id else None,
            "created_at": flow.created_at.isoformat(),
            "client_state": flow.client_state,
        }
        await self._redis.set(_key(state_digest), json.dumps(value), px=self._ttl_ms)

    async def take(self, state_digest: str) -> ProviderFlow | None:
        raw = await self._redis.getdel(_key(state_digest))
        if raw is None:
            return None
        value = json.loads(raw)
        return ProviderFlow(
            provider=value["provider"],
            code_verifier=value["code_verifier"],
            nonce=value["nonce"],
            redirect_uri=value["redirect_uri"],
            link_user_id=UUID(value["link_user_id"]) if value["link_user_id"] else None,
            created_at=datetime.fromisoformat(value["created_at"]),
            client_state=value["client_state"],
        )
