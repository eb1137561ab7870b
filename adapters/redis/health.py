from __future__ import annotations

import asyncio

from redis.asyncio import Redis


async def redis_answers(redis: Redis, timeout: float = 2.0) -> bool:
    try:
        return bool(await asyncio.wait_for(redis.ping(), timeout))
    except Exception:  # any failure means "not ready"
        return False
