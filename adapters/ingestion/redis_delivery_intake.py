"""The receiver's side of the ingestion stream on Redis (``redis-ingestion-format.md``): back-
pressure, both levels of deduplication and the append in one Lua script, so two deliveries of
the same change racing each other cannot both be appended."""

from __future__ import annotations

from datetime import timedelta

import attrs
from redis.asyncio import Redis

from adapters.ingestion.redis_ingestion_codec import STREAM, delivery_key, entry_fields, text, title_key
from adapters.shared.redis_batched_script import BatchedScript
from adapters.shared.trace_carrier import current_trace_context, trace_carrier
from application.ingestion.ingested_change import IngestedChange
from application.ingestion.stream_ports import Acceptance, Accepted, Busy, Duplicate

# KEYS: stream, delivery key, title key. ARGV: backlog limit, horizon (ms), event id, fingerprint,
# then the entry's fields and values.
_ACCEPT = """
local backlog = redis.call('XLEN', KEYS[1])
if backlog >= tonumber(ARGV[1]) then return {'busy', tostring(backlog)} end
local seen = redis.call('GET', KEYS[2])
if seen then return {'delivery', seen} end
local latest = redis.call('GET', KEYS[3])
if latest then
  local space = string.find(latest, ' ', 1, true)
  if space and string.sub(latest, 1, space - 1) == ARGV[4] then
    return {'change', string.sub(latest, space + 1)}
  end
end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
redis.call('SET', KEYS[3], ARGV[4] .. ' ' .. ARGV[3], 'PX', ARGV[2])
redis.call('XADD', KEYS[1], '*', unpack(ARGV, 5))
return {'accepted', ARGV[3]}
"""


class RedisDeliveryIntake:
    def __init__(self, redis: Redis) -> None:
        self._accept = BatchedScript(redis, _ACCEPT, "accept_delivery")

    async def accept(self, entry: IngestedChange, *, backlog_limit: int, horizon: timedelta) -> Acceptance:
        change = entry.change
        assert change is not None
        traceparent, tracestate = current_trace_context()
        if traceparent:
            entry = attrs.evolve(entry, trace_context=trace_carrier(traceparent, tracestate))
        fields = entry_fields(entry)
        args = [str(backlog_limit), str(int(horizon.total_seconds() * 1000)), entry.event_id, entry.fingerprint]
        for name, value in fields.items():
            args += (name, value)
        keys = [
            STREAM,
            delivery_key(entry.platform, entry.delivery_id),
            title_key(entry.platform, change.platform_content_id),
        ]
        verdict, value = (text(part) for part in await self._accept(keys, args))
        if verdict == "busy":
            return Busy(int(value))
        if verdict in ("delivery", "change"):
            return Duplicate(value, verdict)
        return Accepted(value)
