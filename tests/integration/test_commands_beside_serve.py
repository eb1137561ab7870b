"""The CLI beside a running `serve` on the embedded default: every command that touches data
joins the PostgreSQL and Redis that serve started under MG_DATA_DIR (no second server on the
same data), and leaves them running when it exits; and serve keeps servers a command started.

Always on the embedded servers, whatever MG_TEST_* say: joining them is what is tested."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import redis

from tests.integration.test_service_process import CLI, call, free_port, wait_ready

pytestmark = pytest.mark.integration
ANA = {"email": "ana@example.com", "password": "a long passphrase"}


@pytest.fixture
def embedded_env() -> Iterator[dict[str, str]]:
    # Not under tmp_path: another pytest starting meanwhile makes pytest's temp root 0700 again,
    # and the embedded PostgreSQL (run as its own user when we are root) can no longer reach it.
    scratch = Path(tempfile.mkdtemp(prefix="mg-beside-serve-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MG_")}
    env.update(MG_DATA_DIR=str(scratch / "var"), MG_LOG_LEVEL="WARNING")
    yield env
    shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in reversed(started):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def start_serve(env: dict[str, str], processes: list[subprocess.Popen[bytes]]) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    process = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, start_new_session=True)
    processes.append(process)
    base = f"http://127.0.0.1:{port}"
    wait_ready(base, process)
    return base, process


def command(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=180)


def servers_of(data_dir: Path) -> tuple[list[int], list[int]]:
    """The pids of every PostgreSQL postmaster and every Redis running on this data directory."""
    pgdata, socket = str((data_dir / "postgres").resolve()), str((data_dir / "redis" / "redis.sock").resolve())
    postmasters, redises = [], []
    for process in psutil.process_iter(["name", "cmdline", "ppid"]):
        line = " ".join(process.info["cmdline"] or [])
        if process.info["name"] == "postgres" and f"-D {pgdata}" in line:
            postmasters.append(process.pid)
        elif "redis-server" in line and socket in line:
            redises.append(process.pid)
    return postmasters, redises


def holders(data_dir: Path) -> tuple[list[int], list[int]]:
    return (
        json.loads((data_dir / "postgres" / ".handle_pids.json").read_text()),
        json.loads((data_dir / "redis" / "holders.json").read_text()),
    )


def scopes(base: str, tokens: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Refresh the pair, then read the profile's scopes with the new access token."""
    status, tokens = call(base, "POST", "/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert status == 200
    status, profile = call(base, "GET", "/api/v1/me", token=tokens["access_token"])
    assert status == 200
    return tokens, list(profile["scopes"])


def wait_until_gone(data_dir: Path) -> tuple[list[int], list[int]]:
    deadline = time.monotonic() + 30
    while any(servers_of(data_dir)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return servers_of(data_dir)


def test_every_data_command_joins_the_servers_serve_started_and_leaves_them_running(
    embedded_env: dict[str, str], processes: list[subprocess.Popen[bytes]]
) -> None:
    data_dir = Path(embedded_env["MG_DATA_DIR"])
    base, serve = start_serve(embedded_env, processes)
    servers = servers_of(data_dir)
    assert [len(pids) for pids in servers] == [1, 1]
    assert holders(data_dir) == ([serve.pid], [serve.pid])

    assert call(base, "POST", "/api/v1/auth/register", ANA)[0] == 202
    status, tokens = call(base, "POST", "/api/v1/auth/login", ANA)
    assert status == 200
    marker = redis.Redis(unix_socket_path=str(data_dir / "redis" / "redis.sock"))
    marker.set("mg:test:written-before-the-commands", "kept")

    outputs = {}
    for args in (
        ("migrate",),
        ("seed-demo",),
        ("check",),
        ("dead-letters",),
        ("grant-admin", "ana@example.com"),
        ("grant-admin", "ANA@example.com"),
        ("grant-admin", "bruno@example.com"),
    ):
        done = command(embedded_env, *args)
        outputs[args] = done
        assert call(base, "GET", "/health/ready")[0] == 200, f"serve lost a server after {args}"
        # The command joined: still the same one PostgreSQL and one Redis, held by serve alone.
        assert servers_of(data_dir) == servers, f"{args} started a server of its own"
        assert holders(data_dir) == ([serve.pid], [serve.pid]), f"{args} left itself among the holders"

    assert all(outputs[args].returncode == 0 for args in list(outputs)[:-1]), {
        args: done.stderr for args, done in outputs.items() if done.returncode
    }
    assert "demo account created" in outputs[("seed-demo",)].stdout
    assert "(embedded)" in outputs[("check",)].stdout and "NO" not in outputs[("check",)].stdout
    assert "is now an administrator" in outputs[("grant-admin", "ana@example.com")].stdout
    assert "already an administrator; nothing changed" in outputs[("grant-admin", "ANA@example.com")].stdout
    unknown = outputs[("grant-admin", "bruno@example.com")]
    assert unknown.returncode == 1 and "No account has the email 'bruno@example.com'" in unknown.stderr

    # serve sees what the commands wrote, and what it had is intact.
    tokens, granted = scopes(base, tokens)
    assert granted == ["admin", "read", "write"]
    status, page = call(base, "GET", "/api/v1/search?q=dune")
    assert status == 200 and page["items"][0]["title"] == "Dune"
    assert marker.get("mg:test:written-before-the-commands") == b"kept"
    demo_account = {"email": "demo@example.com", "password": "popcorn-on-the-sofa"}
    status, demo = call(base, "POST", "/api/v1/auth/login", demo_account)
    assert status == 200
    _, demo_scopes = scopes(base, demo)
    assert demo_scopes == ["read", "write"]  # seed-demo makes no administrator

    revoked = command(embedded_env, "revoke-admin", "ana@example.com")
    assert revoked.returncode == 0 and "no longer an administrator" in revoked.stdout
    _, after = scopes(base, tokens)
    assert after == ["read", "write"]
    status, events = call(base, "GET", "/api/v1/me/security-events", token=tokens["access_token"])
    assert [event["kind"] for event in events["items"]] == ["admin_revoked", "admin_granted"]
    marker.close()

    serve.send_signal(signal.SIGTERM)
    assert serve.wait(timeout=30) == 0
    assert wait_until_gone(data_dir) == ([], []), "the last holder's exit must stop both servers"


def test_serve_keeps_the_servers_a_command_started_when_that_command_ends(
    embedded_env: dict[str, str], processes: list[subprocess.Popen[bytes]]
) -> None:
    data_dir = Path(embedded_env["MG_DATA_DIR"])
    # The worker starts both servers, in a terminal (process group) of its own.
    worker = subprocess.Popen([*CLI, "worker"], env=embedded_env, start_new_session=True)
    processes.append(worker)
    deadline = time.monotonic() + 60
    while not all(servers_of(data_dir)) or not (data_dir / "redis" / "holders.json").exists():
        assert time.monotonic() < deadline and worker.poll() is None, "the worker did not start its servers"
        time.sleep(0.1)
    base, serve = start_serve(embedded_env, processes)
    servers = servers_of(data_dir)
    assert call(base, "POST", "/api/v1/auth/register", ANA)[0] == 202

    # Ctrl-C in the worker's terminal: the whole group gets SIGINT, the servers are not in it.
    os.killpg(worker.pid, signal.SIGINT)
    assert worker.wait(timeout=30) == 0
    assert servers_of(data_dir) == servers
    assert holders(data_dir) == ([serve.pid], [serve.pid])
    status, ready = call(base, "GET", "/health/ready")
    assert status == 200, ready
    assert call(base, "POST", "/api/v1/auth/login", ANA)[0] == 200

    os.killpg(serve.pid, signal.SIGINT)
    assert serve.wait(timeout=30) == 0
    assert wait_until_gone(data_dir) == ([], [])
