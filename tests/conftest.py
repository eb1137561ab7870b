from __future__ import annotations

import os

# implicit's ALS wants one BLAS thread (it warns otherwise); set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import atexit
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.database import create_engine, ensure_database, migrate
from tests.support.fake_github import fake_github  # noqa: F401  (a fixture: the fake GitHub on loopback)
from tests.support.fake_google import fake_google  # noqa: F401  (a fixture: the fake Google on loopback)
from tests.support.recorded_spans import recorded_spans  # noqa: F401  (a fixture)
from tests.support.servers import drop_database, fresh_database_url, postgres_server_url, redis_server_url
from tests.support.smtp_server import smtp_server, tls_certificates  # noqa: F401  (fixtures)

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On pytest-xdist workers, the `slow` tests first (in their order): one started near the end
    would run alone while the other workers sit idle."""
    if config.getoption("numprocesses", default=None):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def scratch_dir() -> Path:
    """Embedded servers' data, outside pytest's temp-dir rotation: a concurrent pytest run
    prunes old basetemp dirs and would pull the data out from under a running server."""
    path = Path(tempfile.mkdtemp(prefix="mg-test-servers-"))
    # Registered before the servers start, so it runs after their own exit handlers stop them.
    atexit.register(shutil.rmtree, path, True)
    return path


@pytest.fixture(scope="session")
def postgres_url(scratch_dir: Path) -> Iterator[str]:
    url = fresh_database_url(postgres_server_url(scratch_dir))
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def redis_url(scratch_dir: Path) -> str:
    return redis_server_url(scratch_dir)


@pytest.fixture(scope="session")
async def migrated_engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    await ensure_database(postgres_url)
    engine = create_engine(postgres_url, pool_size=5)
    await migrate(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def engine(migrated_engine: AsyncEngine) -> AsyncEngine:
    """The migrated test database, emptied before each test."""
    async with migrated_engine.begin() as conn:
        await conn.execute(text("TRUNCATE users, refresh_sessions, content, content_availability CASCADE"))
        # mail operations: the mail:queue health check reads the queue (no foreign key empties it)
        await conn.execute(text("TRUNCATE mail_queue"))
        # the catalog's applied change ids (no foreign key to content empties them)
        await conn.execute(text("TRUNCATE catalog_applied_changes, webhook_registrations"))
        # trained model versions (ratings go with users)
        await conn.execute(text("TRUNCATE recommendation_models"))
        # search analytics: raw searches and clicks (every partition), pending hours, rollups
        await conn.execute(
            text(
                "TRUNCATE search_events, search_clicks, search_rollup_pending, search_query_texts, "
                "search_hourly_queries, search_daily_queries, search_hourly_totals, search_daily_totals, "
                "search_window_queries, search_window_builds, search_window_past, search_window_past_builds"
            )
        )
    return migrated_engine


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    keys = [key async for key in client.scan_iter(match="mg:*")]
    if keys:
        await client.delete(*keys)
    yield client
    await client.aclose()
