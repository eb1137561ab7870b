from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from redis.asyncio import Redis

from domain.identity.device_authorization import (
    DEVICE_AUTHORIZATION_TTL,
    Approval,
    DeviceAuthorization,
    DeviceAuthorizationStatus,
)

# Kept this long past expiry, so a late poll hears expired_token rather than invalid_grant.
LINGER = timedelta(minutes=5)

# KEYS: the user code's key, the authorization's hash; ARGV: ttl ms, the digest, then field/value pairs.
# The user code is claimed first, so two authorizations never share one.
_ADD = """
if not redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[1]) then return 0 end
redis.call('HSET', KEYS[2], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1
"""

# Compare-and-set of the status: ARGV[1] the expected status, then the field/value pairs to write.
_TRANSITION = """
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
"""

# Only on an authorization that is still kept: a poll never brings an expired one back.
_RECORD_POLL = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""


def _authorization_key(device_code_digest: str) -> str:
    return f"mg:device-auth:{device_code_digest}"


def _user_code_key(user_code: str) -> str:
    return f"mg:device-user-code:{user_code}"


def _fields(authorization: DeviceAuthorization) -> list[str]:
    fields = {
        "user_code": authorization.user_code,
        "created_at": authorization.created_at.isoformat(),
        "expires_at": authorization.expires_at.isoformat(),
        "interval": str(authorization.interval_seconds),
        "status": authorization.status.value,
    }
    if authorization.client_name is not None:
        fields["client_name"] = authorization.client_name
    if authorization.last_polled_at is not None:
        fields["last_polled_at"] = authorization.last_polled_at.isoformat()
    fields.update(_approval_fields(authorization))
    return [item for pair in fields.items() for item in pair]


def _approval_fields(authorization: DeviceAuthorization) -> dict[str, str]:
    approval = authorization.approval
    if approval is None:
        return {}
    return {"user_id": str(approval.user_id), "auth_time": approval.auth_time.isoformat()}


def _authorization(device_code_digest: str, raw: dict[bytes, bytes]) -> DeviceAuthorization:
    fields = {key.decode(): value.decode() for key, value in raw.items()}
    approval = (
        Approval(user_id=UUID(fields["user_id"]), auth_time=datetime.fromisoformat(fields["auth_time"]))
        if "user_id" in fields
        else None
    )
    last_polled = fields.get("last_polled_at")
    return DeviceAuthorization(
        device_code_digest=device_code_digest,
        user_code=fields["user_code"],
        client_name=fields.get("client_name"),
        created_at=datetime.fromisoformat(fields["created_at"]),
        expires_at=datetime.fromisoformat(fields["expires_at"]),
        interval_seconds=int(fields["interval"]),
        status=DeviceAuthorizationStatus(fields["status"]),
        approval=approval,
        last_polled_at=datetime.fromisoformat(last_polled) if last_polled else None,
    )


class RedisDeviceAuthorizationStore:
    """A hash per authorization under its device code's digest and a key per user code pointing to
    it, both expiring a while after the authorization does; status changes are Lua compare-and-sets."""

    def __init__(self, redis: Redis, *, linger: timedelta = LINGER) -> None:
        self._redis = redis
        self._ttl_ms = int((DEVICE_AUTHORIZATION_TTL + linger).total_seconds() * 1000)
        self._add = redis.register_script(_ADD)
        self._transition = redis.register_script(_TRANSITION)
        self._record_poll = redis.register_script(_RECORD_POLL)

    async def add(self, authorization: DeviceAuthorization) -> bool:
        digest = authorization.device_code_digest
        added = await self._add(
            keys=[_user_code_key(authorization.user_code), _authorization_key(digest)],
            args=[self._ttl_ms, digest, *_fields(authorization)],
        )
        return bool(added)

    async def get(self, device_code_digest: str) -> DeviceAuthorization | None:
        raw = await self._redis.hgetall(_authorization_key(device_code_digest))  # type: ignore[misc]
        return _authorization(device_code_digest, raw) if raw else None

    async def find_by_user_code(self, user_code: str) -> DeviceAuthorization | None:
        digest = await self._redis.get(_user_code_key(user_code))
        return await self.get(digest.decode()) if digest else None

    async def record_poll(self, authorization: DeviceAuthorization) -> None:
        polled = authorization.last_polled_at
        await self._record_poll(
            keys=[_authorization_key(authorization.device_code_digest)],
            args=["interval", authorization.interval_seconds, "last_polled_at", polled.isoformat() if polled else ""],
        )

    async def settle(self, authorization: DeviceAuthorization) -> bool:
        changes = {"status": authorization.status.value, **_approval_fields(authorization)}
        return await self._change(authorization.device_code_digest, DeviceAuthorizationStatus.PENDING, changes)

    async def consume(self, device_code_digest: str) -> bool:
        changes = {"status": DeviceAuthorizationStatus.CONSUMED.value}
        return await self._change(device_code_digest, DeviceAuthorizationStatus.APPROVED, changes)

    async def _change(self, digest: str, expected: DeviceAuthorizationStatus, changes: dict[str, str]) -> bool:
        pairs = [item for pair in changes.items() for item in pair]
        return bool(await self._transition(keys=[_authorization_key(digest)], args=[expected.value, *pairs]))
