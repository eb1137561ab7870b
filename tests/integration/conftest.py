"""What the process tests share: servers for several processes to use together."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_service_process import CLI, free_port, wait_ready
from tests.support.seeded_demo import SeededDemo, copy_seeded, seed_once
from tests.support.servers import drop_database, fresh_redis_url


def service_base_env() -> dict[str, str]:
    """This process's environment, less our settings and a developer's OTEL_* set-up (they would
    leak into the processes under test)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MG_", "OTEL_"))}
    return {**env, "MG_LOG_LEVEL": "WARNING"}


@pytest.fixture(scope="session")
def seeded_demo(scratch_dir: Path, postgres_url: str, redis_url: str) -> Iterator[SeededDemo]:
    """seed-demo run once, into a template database, data directory and Redis keys (the services'
    database of the suite's Redis, emptied before and after). The directory is kept out of pytest's
    temp-dir rotation (see scratch_dir): it is copied until the session ends."""
    directory = scratch_dir / "seeded-demo" / "var"
    seeded = seed_once(CLI, service_base_env(), postgres_url, fresh_redis_url(redis_url), directory)
    yield seeded
    drop_database(seeded.database_url)


@pytest.fixture
def shared_env(tmp_path: Path, postgres_url: str, redis_url: str, seeded_demo: SeededDemo) -> Iterator[dict[str, str]]:
    """Two processes need the same servers: the suite's PostgreSQL (a fresh database) and Redis,
    as `seed-demo` leaves them (a copy of the session's one seeding)."""
    env = service_base_env()
    database = copy_seeded(seeded_demo, postgres_url, redis_url, tmp_path / "var")
    env.update(MG_DATA_DIR=str(tmp_path / "var"), MG_DATABASE_URL=database, MG_REDIS_URL=redis_url)
    yield env
    drop_database(database)


@pytest.fixture
def start(shared_env: dict[str, str]) -> Iterator[Any]:
    """`start(*serve_options, **env)`: a `serve` process on the shared servers (with `env` on top
    of theirs), ready; every one started is stopped after the test."""
    processes: list[subprocess.Popen[bytes]] = []

    def launch(*options: str, **env: str) -> tuple[str, subprocess.Popen[bytes]]:
        port = free_port()
        process = subprocess.Popen([*CLI, "serve", "--port", str(port), *options], env={**shared_env, **env})
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, process)
        return base, process

    yield launch
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
