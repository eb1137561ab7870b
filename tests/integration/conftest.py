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
from tests.support.servers import drop_database, fresh_database_url


@pytest.fixture
def shared_env(tmp_path: Path, postgres_url: str, redis_url: str) -> Iterator[dict[str, str]]:
    """Two processes need the same servers: the suite's PostgreSQL (a fresh database) and Redis."""
    # Neither our settings nor a developer's OTEL_* set-up leak into the processes under test.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MG_", "OTEL_"))}
    database = fresh_database_url(postgres_url)
    env.update(
        MG_DATA_DIR=str(tmp_path / "var"), MG_LOG_LEVEL="WARNING", MG_DATABASE_URL=database, MG_REDIS_URL=redis_url
    )
    seeded = subprocess.run([*CLI, "seed-demo"], env=env, capture_output=True, text=True, timeout=120)
    assert seeded.returncode == 0, seeded.stderr
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
