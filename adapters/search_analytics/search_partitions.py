"""The raw tables' daily partitions: ``search_events_YYYYMMDD`` and ``search_clicks_YYYYMMDD``,
each holding one UTC day [midnight, next midnight)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

RAW_TABLES = ("search_events", "search_clicks")


def partition_name(table: str, day: date) -> str:
    return f"{table}_{day:%Y%m%d}"


async def create_day_partitions(conn: AsyncConnection, days: Iterable[date]) -> int:
    """Create each missing partition of both raw tables for ``days``; returns how many were created."""
    existing = set((await conn.execute(text(_EXISTING))).scalars())
    created = 0
    for day in sorted(set(days)):
        nxt = day + timedelta(days=1)
        for table in RAW_TABLES:
            name = partition_name(table, day)
            if name in existing:
                continue
            # names and bounds are made here from dates, never from input
            await conn.execute(
                text(
                    f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {table} FOR VALUES FROM "
                    f"('{day.isoformat()}T00:00:00+00') TO ('{nxt.isoformat()}T00:00:00+00')"
                )
            )
            created += 1
    return created


_EXISTING = """
    SELECT child.relname FROM pg_inherits
    JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
    JOIN pg_class child ON child.oid = pg_inherits.inhrelid
    WHERE parent.relname IN ('search_events', 'search_clicks')
"""
