"""What the process tests share: servers for several processes to use together."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_service_process import CLI
from tests.support.servers import drop_database, fresh_database_url


@pytest.fixture
def shared_env(tmp_path: Path, postgres_url: str, redis_url: str) -> Iterator[dict[str, str]]:
    """Two processes need the same servers: the suite's PostgreSQL (a fresh database) and Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MG_")}
    database = fresh_database_url(postgres_url)
    env.update(
        MG_DATA_DIR=str(tmp_path / "var"), MG_LOG_LEVEL="WARNING", MG_DATABASE_URL=database, MG_REDIS_URL=redis_url
    )
    seeded = subprocess.run([*CLI, "seed-demo"], env=env, capture_output=True, text=True, timeout=120)
    assert seeded.returncode == 0, seeded.stderr
    yield env
    drop_database(database)
