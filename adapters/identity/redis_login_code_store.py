from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from redis.asyncio import Redis

from application.identity.external_identity_ports import LoginGrant
from application.identity.identity_provider_ports import ProviderIdentity


def _key(code_digest: str) -> str:
    return f"mg:login-code:{code_digest}"


def _identity_value(identity: ProviderIdentity) -> dict[str, Any]:
    return {
        "provider": identity.provider,
        "subject": identity.subject,
        "email": identity.email,
        "email_verified": identity.email_verified,
        "display_name": identity.display_name,
        "login": identity.login,
    }


def _identity(value: dict[str, Any]) -> ProviderIdentity:
    return ProviderIdentity(
        provider=value["provider"],
        subject=value["subject"],
        email=value["email"],
        email_verified=value["email_verified"],
        display_name=value["display_name"],
        login=value["login"],
    )


class RedisLoginCodeStore:
    """A key per code, named by the code's digest, expiring after ``ttl``; GETDEL takes it once,
    so of two exchanges racing with one code only one gets the grant."""

    def __init__(self, redis: Redis, *, ttl: timedelta) -> None:
        self._redis = redis
        self._ttl = ttl

    async def put(self, code_digest: str, grant: LoginGrant, *, ttl: timedelta | None = None) -> None:
        value: dict[str, Any] = {
            "user_id": str(grant.user_id),
            "provider": grant.provider,
            "auth_time": grant.auth_time.isoformat(),
        }
        if grant.link is not None:
            value["link"] = _identity_value(grant.link)
        lifetime_ms = int((ttl or self._ttl).total_seconds() * 1000)
        await self._redis.set(_key(code_digest), json.dumps(value), px=lifetime_ms)

    async def take(self, code_digest: str) -> LoginGrant | None:
        raw = await self._redis.getdel(_key(code_digest))
        if raw is None:
            return None
        value = json.loads(raw)
        return LoginGrant(
            user_id=UUID(value["user_id"]),
            provider=value["provider"],
            auth_time=datetime.fromisoformat(value["auth_time"]),
            link=_identity(value["link"]) if "link" in value else None,
        )
