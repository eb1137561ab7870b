from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


async def postgres_answers(engine: AsyncEngine, timeout: float = 2.0) -> bool:
    async def ping() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(ping(), timeout)
    except Exception:  # any failure means "not ready"; the reason is in the server's own log
        return False
    return True
