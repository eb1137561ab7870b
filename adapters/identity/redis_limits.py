"""Counters in Redis shared by every process: the factor attempt guard, the registration limits,
per-key API rate limits, per-client request limits, and the once-a-minute gate for recording API key use."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from uuid import UUID

from redis.asyncio import Redis

from application.identity.api_key_ports import RateLimitDecision
from domain.shared.errors import TooManyAttempts

_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
"""

# All or nothing over several fixed-window counters (ARGV: limit, window in ms, for each key):
# if any counter is at its limit, count nothing and return the longest wait in ms; else count
# one on each (starting its window on the first) and return 0. One script, so concurrent callers
# cannot both slip under a limit, and a refusal by one counter never counts against another.
_TAKE = """
local wait = 0
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= tonumber(ARGV[2 * i - 1]) then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then
      redis.call('PEXPIRE', key, ARGV[2 * i])
      ttl = tonumber(ARGV[2 * i])
    end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[2 * i]) end
end
return 0
"""

# Give back one count on each counter (a taken attempt that turned out to be no failure).
_GIVE_BACK = """
for _, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count > 1 then redis.call('DECR', key) elseif count == 1 then redis.call('DEL', key) end
end
return 0
"""


class _Counters:
    def __init__(self, redis: Redis) -> None:
        self._take = redis.register_script(_TAKE)
        self._give_back = redis.register_script(_GIVE_BACK)

    async def take(self, tiers: Sequence[tuple[str, int, int]]) -> int | None:
        """Seconds to wait if a (key, limit, window seconds) counter is at its limit, else None."""
        args = [str(value) for _, limit, window in tiers for value in (limit, window * 1000)]
        wait_ms = int(await self._take(keys=[key for key, _, _ in tiers], args=args))
        return max(1, -(-wait_ms // 1000)) if wait_ms > 0 else None

    async def give_back(self, keys: Sequence[str]) -> None:
        await self._give_back(keys=list(keys), args=[])


class RedisFactorAttemptGuard:
    """Counts failed second-factor attempts: an attempt is taken when it starts (so concurrent
    guesses cannot overrun a limit) and given back when it succeeds."""

    def __init__(
        self,
        redis: Redis,
        *,
        per_account: int = 5,
        per_ip_and_account: int = 5,
        per_ip: int = 100,
        window_seconds: int = 60,
    ) -> None:
        self._counters = _Counters(redis)
        self._limits = (per_account, per_ip_and_account, per_ip)
        self._window = window_seconds

    def _tiers(self, user_id: UUID, ip: str | None) -> list[tuple[str, int, int]]:
        """Per account always; per (address, account) and per address when the address is known."""
        per_account, per_ip_and_account, per_ip = self._limits
        tiers = [(f"mg:mfa-attempts:user:{user_id}", per_account, self._window)]
        if ip:
            tiers.append((f"mg:mfa-attempts:ip-user:{ip}:{user_id}", per_ip_and_account, self._window))
            tiers.append((f"mg:mfa-attempts:ip:{ip}", per_ip, self._window))
        return tiers

    async def attempt(self, user_id: UUID, ip: str | None) -> None:
        wait = await self._counters.take(self._tiers(user_id, ip))
        if wait is not None:
            raise TooManyAttempts("Too many two-factor attempts; wait a minute.", retry_after_seconds=wait)

    async def succeeded(self, user_id: UUID, ip: str | None) -> None:
        await self._counters.give_back([key for key, _, _ in self._tiers(user_id, ip)])


class RedisRegistrationLimiter:
    """Registrations per client address (over ``ip_window_seconds``) and for the whole service
    (per minute); a registration refused by one limit is not counted by the other."""

    def __init__(self, redis: Redis, *, per_ip: int, ip_window_seconds: int, per_minute: int) -> None:
        self._counters = _Counters(redis)
        self._per_ip = (per_ip, ip_window_seconds)
        self._per_minute = per_minute

    async def admit(self, ip: str | None) -> None:
        tiers = [("mg:registrations:all", self._per_minute, 60)]
        if ip:
            tiers.insert(0, (f"mg:registrations:ip:{ip}", *self._per_ip))
        wait = await self._counters.take(tiers)
        if wait is not None:
            raise TooManyAttempts("Too many registrations; try again later.", retry_after_seconds=wait)


class RedisApiKeyRateLimiter:
    """A fixed one-minute window per key, aligned to the clock minute so every process agrees."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._hit = redis.register_script(_HIT)

    async def hit(self, key_id: UUID, limit_per_minute: int) -> RateLimitDecision:
        now = time.time()
        window = int(now) // 60
        reset = max(1, math.ceil((window + 1) * 60 - now))  # the budget refills when the minute ends
        count, _ = await self._hit(keys=[f"mg:api-key-rate:{key_id}:{window}"], args=[(reset + 1) * 1000])
        return RateLimitDecision.after(int(count), limit_per_minute, reset)


class RedisClientRateLimiter:
    """A window per client that starts at its first request; ``name`` keeps limiters apart."""

    def __init__(self, redis: Redis, *, name: str, limit: int, window_seconds: int = 60) -> None:
        self._prefix = f"mg:client-rate:{name}:"
        self._limit = limit
        self._window_ms = window_seconds * 1000
        self._hit = redis.register_script(_HIT)

    async def hit(self, client: str) -> RateLimitDecision:
        count, ttl_ms = await self._hit(keys=[self._prefix + client], args=[self._window_ms])
        return RateLimitDecision.after(int(count), self._limit, max(1, -(-int(ttl_ms) // 1000)))


class RedisApiKeyUsageRecorder:
    def __init__(self, redis: Redis, *, interval_seconds: int = 60) -> None:
        self._redis = redis
        self._interval = interval_seconds

    async def should_record(self, key_id: UUID) -> bool:
        return bool(await self._redis.set(f"mg:api-key-used:{key_id}", b"1", nx=True, ex=self._interval))
