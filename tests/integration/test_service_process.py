"""The real service, as a user runs it: `media-gateway seed-demo` then `serve`, over real HTTP.

With no MG_TEST_* URLs the service starts its own embedded PostgreSQL and Redis under a fresh
data directory (the default a fresh clone gets); otherwise it is pointed at those servers.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.catalog.jsonl_catalog_file import DEMO_CATALOG, read_catalog
from entrypoints.cli.demo_viewers import demo_histories
from tests.support.servers import drop_database, fresh_database_url, fresh_redis_url

pytestmark = pytest.mark.integration
CLI = [sys.executable, "-m", "entrypoints.cli.main"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def service_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MG_")}
    env.update(MG_DATA_DIR=str(tmp_path / "var"), MG_LOG_LEVEL="WARNING")
    if os.environ.get("MG_TEST_DATABASE_URL"):
        env["MG_DATABASE_URL"] = fresh_database_url(os.environ["MG_TEST_DATABASE_URL"])
    if os.environ.get("MG_TEST_REDIS_URL"):
        env["MG_REDIS_URL"] = fresh_redis_url(os.environ["MG_TEST_REDIS_URL"])
    yield env
    if "MG_DATABASE_URL" in env:
        drop_database(env["MG_DATABASE_URL"])


def call(base: str, method: str, path: str, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}")
        try:
            if call(base, "GET", "/health/ready")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("serve did not become ready within 60 s")


def embedded_postgres_running(data_dir: Path) -> bool:
    pgdata = str((data_dir / "postgres").resolve())
    return any(
        p.info["name"] == "postgres" and pgdata in " ".join(p.info["cmdline"] or [])
        for p in psutil.process_iter(["name", "cmdline"])
    )


@pytest.fixture
def serve(service_env: dict[str, str]) -> Iterator[Any]:
    started: list[subprocess.Popen[bytes]] = []

    def start() -> tuple[str, subprocess.Popen[bytes]]:
        port = free_port()
        process = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=service_env)
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, process)
        return base, process

    yield start
    for process in started:
        if process.poll() is None:
            # SIGTERM first: a killed serve leaves its embedded servers running behind it.
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0


def test_seeded_service_answers_searches_and_sign_ins_and_keeps_data_across_restarts(
    service_env: dict[str, str], serve: Any
) -> None:
    outputs = []
    for _ in range(2):  # as every `make run` does
        seeded = subprocess.run([*CLI, "seed-demo"], env=service_env, capture_output=True, text=True, timeout=120)
        assert seeded.returncode == 0, seeded.stderr
        assert "demo catalog" in seeded.stdout
        outputs.append(seeded.stdout)
    assert "demo account exists" in seeded.stdout
    # the demo viewers' histories train the first model once; seeding again keeps it
    assert "recommendation model v1" in outputs[0] and "recommendation model" not in outputs[1]

    base, process = serve()
    status, page = call(base, "GET", "/api/v1/search?q=dune")
    assert status == 200 and page["items"][0]["title"] == "Dune" and page["total"] >= 2
    _, (watched, *_) = demo_histories(list(read_catalog(DEMO_CATALOG)))[0]
    status, similar = call(base, "GET", f"/api/v1/content/{watched.id}/similar?limit=5")
    assert status == 200 and similar["source"] == "als" and len(similar["items"]) == 5, similar
    status, _ = call(
        base, "POST", "/api/v1/auth/register", {"email": "ana@example.com", "password": "a long passphrase"}
    )
    assert status == 202
    status, tokens = call(
        base, "POST", "/api/v1/auth/login", {"email": "ana@example.com", "password": "a long passphrase"}
    )
    assert status == 200
    stop(process)

    data_dir = Path(service_env["MG_DATA_DIR"])
    if "MG_DATABASE_URL" not in service_env:
        assert not embedded_postgres_running(data_dir), "stopping the service must stop embedded PostgreSQL"
        assert (data_dir / "redis" / "appendonly.aof").exists() or (data_dir / "redis" / "appendonlydir").exists()
    key = data_dir / "secrets" / "jwt-signing-key.pem"
    assert key.stat().st_mode & 0o777 == 0o600

    base, process = serve()
    # Same data and same signing key after a restart: the old access token still verifies.
    status, profile = call(base, "GET", "/api/v1/me", token=tokens["access_token"])
    assert status == 200 and profile["email"] == "ana@example.com"
    status, demo = call(
        base, "POST", "/api/v1/auth/login", {"email": "demo@example.com", "password": "popcorn-on-the-sofa"}
    )
    assert status == 200
    # Seeding again is not someone trying to register the demo address.
    status, events = call(base, "GET", "/api/v1/me/security-events", token=demo["access_token"])
    assert status == 200 and events["items"] == []
    stop(process)


def test_migrate_is_idempotent_and_check_reports_the_servers(service_env: dict[str, str]) -> None:
    for _ in range(2):
        migrated = subprocess.run([*CLI, "migrate"], env=service_env, capture_output=True, text=True, timeout=120)
        assert migrated.returncode == 0, migrated.stderr
    checked = subprocess.run([*CLI, "check"], env=service_env, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr
    answers = {line.split("  ")[0]: line.split()[-1] for line in checked.stdout.splitlines()}
    assert answers["postgres answers"] == "yes" and answers["redis answers"] == "yes"
    assert "popcorn" not in checked.stdout + checked.stderr


def test_the_worker_runs_housekeeping_and_stops_cleanly_on_sigterm(service_env: dict[str, str]) -> None:
    env = {**service_env, "MG_LOG_LEVEL": "INFO"}
    worker = subprocess.Popen([*CLI, "worker"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert worker.stderr is not None
        deadline = time.monotonic() + 60
        lines = []
        while time.monotonic() < deadline:
            line = worker.stderr.readline()
            lines.append(line)
            if "housekeeping done" in line:
                break
        else:
            raise AssertionError("no housekeeping round:\n" + "".join(lines))
        entry = json.loads(line)
        assert entry["expired_sessions_purged"] == 0
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def raw_exchange(base: str, request: bytes) -> bytes:
    """Send ``request`` over a fresh connection and read the answer until the server closes it."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(request)  # a refusal mid-send still leaves the answer to read
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_request_heads_over_the_limit_get_431_and_the_service_keeps_serving(serve: Any) -> None:
    base, _ = serve()
    head = b"GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
    big = raw_exchange(base, head + b"X-Padding: " + b"a" * 65536 + b"\r\n\r\n")
    assert big.startswith(b"HTTP/1.1 431 "), big[:200]
    assert b"application/problem+json" in big and b"/problems/request-headers-too-large" in big
    assert call(base, "GET", "/problems/request-headers-too-large")[1]["status"] == 431
    # A head that never ends is cut off once it passes the limit, instead of being buffered forever.
    endless = raw_exchange(base, head + b"X-Padding: " + b"a" * (4 * 1024 * 1024))
    assert endless.startswith(b"HTTP/1.1 431 "), endless[:200]
    # Generous headers within the limit (a long token, proxy headers) are served as usual.
    assert call(base, "GET", "/health/live", token="t" * 8192)[0] == 200


def scraped(base: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


LIVE = ("mg_http_requests_total", frozenset({"route": "/health/live", "method": "GET", "status_class": "2xx"}.items()))
FAILED_SIGN_IN = ("mg_sign_ins_total", frozenset({"step": "password", "outcome": "invalid_credentials"}.items()))
IN_FLIGHT = ("mg_http_requests_in_flight", frozenset())


def test_in_multiprocess_mode_metrics_add_up_over_the_processes_that_served(
    service_env: dict[str, str], serve: Any, tmp_path: Path
) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    service_env["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    base, first = serve()
    for _ in range(3):
        assert call(base, "GET", "/health/live")[0] == 200
    assert call(base, "POST", "/api/v1/auth/login", {"email": "nobody@example.com", "password": "not it"})[0] == 401
    metrics = scraped(base)
    assert metrics[LIVE] == 3 and metrics[FAILED_SIGN_IN] == 1 and metrics[IN_FLIGHT] == 1
    assert (directory / f"counter_{first.pid}.db").exists()
    live_gauges = directory / f"gauge_livesum_{first.pid}.db"
    assert live_gauges.exists()
    stop(first)
    assert not live_gauges.exists(), "a process that exits takes its in-flight requests with it"
    # One killed before it could clean up is forgotten by the next one to start.
    (directory / "gauge_livesum_4194999.db").write_bytes((directory / f"histogram_{first.pid}.db").read_bytes())

    base, second = serve()
    assert not (directory / "gauge_livesum_4194999.db").exists()
    assert call(base, "GET", "/health/live")[0] == 200
    metrics = scraped(base)
    assert metrics[LIVE] == 4, "the counters of a process that ended still count"
    assert metrics[FAILED_SIGN_IN] == 1 and metrics[IN_FLIGHT] == 1
    stop(second)


def connections_held(process: psutil.Process, port: int) -> int:
    held = process.net_connections("tcp")
    return sum(1 for c in held if c.laddr.port == port and c.status == psutil.CONN_ESTABLISHED)


def test_serve_with_two_processes_takes_connections_in_both_and_stops_both(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    port = free_port()
    parent = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--processes", "2"],
        env={**service_env, "PROMETHEUS_MULTIPROC_DIR": str(directory)},
    )
    base = f"http://127.0.0.1:{port}"
    opened: list[http.client.HTTPConnection] = []
    try:
        wait_ready(base, parent)
        (child,) = [c for c in psutil.Process(parent.pid).children() if "serve" in c.cmdline()]
        deadline = time.monotonic() + 30  # the second process may still be starting
        while time.monotonic() < deadline and not connections_held(child, port):
            for _ in range(8):  # kept open: each stays with the process that accepted it
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", "/health/live")
                assert connection.getresponse().read() and connection.sock is not None
                opened.append(connection)
        assert connections_held(child, port) and connections_held(psutil.Process(parent.pid), port)
        assert scraped(base)[LIVE] == len(opened), "either process's /metrics adds up both"
    finally:
        for connection in opened:
            connection.close()
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=30) == 0
    assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_serve_with_its_worker_builds_the_search_index_it_then_reads(service_env: dict[str, str]) -> None:
    """`make run`: the worker child of `serve --with-worker` writes the index that serve searches."""
    env = {**service_env, "MG_HEALTH_CACHE_SECONDS": "0"}
    if "MG_DATABASE_URL" in env:  # external mode searches PostgreSQL unless told
        env["MG_SEARCH_ENGINE"] = "tantivy"
    seeded = subprocess.run([*CLI, "seed-demo"], env=env, capture_output=True, text=True, timeout=120)
    assert seeded.returncode == 0, seeded.stderr
    port = free_port()
    process = subprocess.Popen([*CLI, "serve", "--port", str(port), "--with-worker"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process)
        deadline, reading = time.monotonic() + 60, {}
        while time.monotonic() < deadline:
            (reading,) = call(base, "GET", "/health/aggregate")[1]["checks"]["search-index:lag"]
            if reading["status"] == "pass":
                break
            time.sleep(0.2)
        assert reading["status"] == "pass", reading
        status, page = call(base, "GET", "/api/v1/search?q=matrx")
        assert status == 200 and page["items"][0]["title"] == "The Matrix"
    finally:
        stop(process)
