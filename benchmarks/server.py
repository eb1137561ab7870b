"""Start a seeded service for a benchmark run, on embedded servers under a fresh data directory
(or on MG_DATABASE_URL / MG_REDIS_URL if set), and stop it afterwards whatever happens."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator

CLI = [sys.executable, "-m", "entrypoints.cli.main"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def seeded_service(
    extra_env: dict[str, str] | None = None, *, with_worker: bool = True
) -> Iterator[tuple[str, dict[str, str]]]:
    """``with_worker=False``: the service alone, for a suite whose rows must not share the cores
    with what the worker does meanwhile (webhooks: applying the deliveries just accepted)."""
    with tempfile.TemporaryDirectory(prefix="mg-bench-") as data_dir:
        env = {**os.environ, "MG_DATA_DIR": data_dir, "MG_LOG_LEVEL": "WARNING", **(extra_env or {})}
        subprocess.run([*CLI, "seed-demo"], env=env, check=True, stdout=subprocess.DEVNULL)
        with serving(env, with_worker=with_worker) as base:
            yield base, env


@contextlib.contextmanager
def serving(env: dict[str, str], *, with_worker: bool = True, processes: int = 1) -> Iterator[str]:
    """One more ``serve`` on a free port with ``env`` (a second process on the same data directory
    finds the embedded servers the first one started); its base URL once ready."""
    port = _free_port()
    options = ["--with-worker"] if with_worker else []
    if processes > 1:
        options += ["--processes", str(processes)]
    process = subprocess.Popen([*CLI, "serve", "--port", str(port), *options], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health/ready", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the service did not become ready")
            time.sleep(0.2)
        if processes > 1:
            time.sleep(5)  # ready means the first process is; the others are a second or two behind
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


async def admin_token(base: str, env: dict[str, str], email: str, password: str) -> str:
    """Register ``email``, make it an administrator with the CLI (``grant-admin``, the only way),
    and sign in: an access token holding ``admin``."""
    import asyncio

    import aiohttp

    async with aiohttp.ClientSession(base) as session:
        async with session.post("/api/v1/auth/register", json={"email": email, "password": password}) as response:
            assert response.status == 202, await response.text()
        granted = await asyncio.create_subprocess_exec(*CLI, "grant-admin", email, env=env, stdout=subprocess.DEVNULL)
        assert await granted.wait() == 0
        async with session.post("/api/v1/auth/login", json={"email": email, "password": password}) as response:
            return str((await response.json())["access_token"])
