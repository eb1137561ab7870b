"""Fixed-window counters in Redis shared by every process: the scripts and the all-or-nothing
tiers behind the identity limiters."""

from __future__ import annotations

from collections.abc import Sequence

from redis.asyncio import Redis

# Count one request on KEYS[1], starting its window (ARGV[1] ms) on the first; return {count, ttl ms}.
HIT_SCRIPT = """
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


class RedisWindowCounters:
    """Tiers of fixed-window counters taken all or nothing and given back, in one script call each."""

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
