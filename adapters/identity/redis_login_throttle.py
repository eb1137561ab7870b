from __future__ import annotations

from redis.asyncio import Redis

# INCR each counter and start its window on the first failure, atomically, in one round trip
# (EXPIRE NX needs Redis 7; we support 6.2).
_RECORD = """
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
end
return 0
"""


class RedisLoginThrottle:
    """Fixed-window counters of failed logins, shared by every process through Redis: per
    (account, IP) tightly, per account loosely, per IP across accounts."""

    def __init__(
        self, redis: Redis, *, account_limit: int, account_ip_limit: int, ip_limit: int, window_seconds: int
    ) -> None:
        self._redis = redis
        self._limits = {"account": account_limit, "account-ip": account_ip_limit, "ip": ip_limit}
        self._window_ms = window_seconds * 1000
        self._record = redis.register_script(_RECORD)

    def _keys(self, account: str, ip: str | None) -> dict[str, str]:
        keys = {
            "account": f"mg:login-failures:account:{account}",
            "account-ip": f"mg:login-failures:account-ip:{account}:{ip or 'unknown'}",
        }
        if ip:
            keys["ip"] = f"mg:login-failures:ip:{ip}"
        return keys

    async def retry_after(self, account: str, ip: str | None) -> int | None:
        keys = self._keys(account, ip)
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys.values():
                pipe.get(key)
                pipe.pttl(key)
            replies = await pipe.execute()
        waits = []
        for index, kind in enumerate(keys):
            count, ttl_ms = replies[2 * index], replies[2 * index + 1]
            if count is not None and int(count) >= self._limits[kind] and ttl_ms > 0:
                waits.append(-(-int(ttl_ms) // 1000))
        return max(waits) if waits else None

    async def record_failure(self, account: str, ip: str | None) -> None:
        await self._record(keys=list(self._keys(account, ip).values()), args=[self._window_ms])

    async def clear_account(self, account: str, ip: str | None) -> None:
        keys = self._keys(account, ip)
        await self._redis.delete(keys["account"], keys["account-ip"])
