from __future__ import annotations

from pathlib import Path

import msgspec
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext import asyncio as sqlalchemy_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant works; it only has to be the same in every process that migrates this database.
_MIGRATION_LOCK_ID = 7_316_204_511


def async_url(url: str) -> str:
    """Accept the usual ``postgresql://`` URLs and point SQLAlchemy at the asyncpg driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql", "postgresql+psycopg", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    # Looked up on the module at each call, so the tracing instrumentation's wrapper (installed
    # at start-up, after this module was imported) traces every engine made.
    return sqlalchemy_asyncio.create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=1800,
        json_deserializer=msgspec.json.decode,  # JSON columns and json_agg results, decoded fast
        hide_parameters=True,  # errors and their logs never carry parameters (search text, emails)
    )


def read_only(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, without a transaction around each read: one round trip per query
    instead of BEGIN, query, ROLLBACK. For single-statement reads only."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def describe(url: str) -> str:
    """The URL with its password hidden, fit for logs and ``check``."""
    return make_url(url).render_as_string(hide_password=True)


async def ensure_database(url: str) -> None:
    """Create the URL's database if it does not exist yet (connecting to ``postgres`` to do so)."""
    target = make_url(async_url(url))
    name = target.database or "postgres"
    admin = sqlalchemy_asyncio.create_async_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            exists = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()


def _upgrade(connection: Connection) -> None:
    connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def migrate(engine: AsyncEngine) -> None:
    """Apply every pending migration; safe to run repeatedly and from several processes at once."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)


async def analyze(engine: AsyncEngine) -> None:
    """Refresh planner statistics after a bulk load, so search plans use the right indexes."""
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("ANALYZE"))
