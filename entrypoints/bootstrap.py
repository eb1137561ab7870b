"""The database step of start-up shared by the HTTP server, the worker and the CLI."""

from __future__ import annotations

from adapters.postgres.database import create_engine, ensure_database, migrate
from entrypoints.config import Settings


async def prepare_database(settings: Settings) -> None:
    assert settings.database_url is not None
    await ensure_database(settings.database_url)
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
