"""Continue Watching across real server processes: live sync between processes through Redis,
and acknowledged progress surviving a SIGKILL."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
import urllib.request
from typing import Any

import psutil
import pytest

from tests.integration.test_service_process import CLI, call
from tests.support.servers import query

pytestmark = pytest.mark.integration
PASSWORD = "a long passphrase for ana"


def sign_in(base: str) -> str:
    call(base, "POST", "/api/v1/auth/register", {"email": "ana@example.com", "password": PASSWORD})
    status, tokens = call(base, "POST", "/api/v1/auth/login", {"email": "ana@example.com", "password": PASSWORD})
    assert status == 200
    return str(tokens["access_token"])


def dune_id(base: str) -> str:
    status, page = call(base, "GET", "/api/v1/search?q=dune")
    assert status == 200
    return str(page["items"][0]["id"])


def progress(base: str, token: str, content_id: str, position: float, device: str, sequence: int) -> Any:
    body = {
        "content_id": content_id,
        "position_seconds": position,
        "device_id": device,
        "session_id": f"{device}-session",
        "sequence": sequence,
    }
    return call(base, "POST", "/api/v1/playback/progress", body, token=token)


def test_a_change_made_through_one_process_reaches_a_device_listening_on_another(start: Any) -> None:
    tv_server, _ = start()
    phone_server, _ = start()
    token = sign_in(tv_server)
    content_id = dune_id(tv_server)

    received: list[tuple[str, dict[str, Any]]] = []
    connected = threading.Event()

    def listen() -> None:
        request = urllib.request.Request(f"{phone_server}/api/v1/sync/events?device_id=phone")
        request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=15) as stream:
            event = None
            for raw in stream:
                line = raw.decode().rstrip("\n")
                if line == ": connected":
                    connected.set()
                elif line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event:
                    received.append((event, json.loads(line[6:])))
                    return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert connected.wait(10), "the SSE stream did not open"
    # The stream is open before its Redis subscription is certain to be: keep watching (as a
    # player does, every few seconds) until the phone hears about it, for at most 15 s.
    deadline = time.monotonic() + 15
    sequence = 0
    while not received and time.monotonic() < deadline:
        sequence += 1
        status, _ = progress(tv_server, token, content_id, 2400 + sequence, "tv", sequence)
        assert status == 200
        listener.join(0.5)
    assert received and received[0][0] == "progress"
    assert received[0][1]["content_id"] == content_id and received[0][1]["position_seconds"] > 2400
    assert received[0][1]["device_id"] == "tv"


def test_every_acknowledged_update_survives_a_sigkill(start: Any) -> None:
    base, process = start()
    token = sign_in(base)
    content_id = dune_id(base)
    acknowledged = None
    for sequence in range(1, 31):
        status, state = progress(base, token, content_id, 60 + sequence * 7, "tv", sequence)
        assert status == 200
        acknowledged = state
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)

    restarted, _ = start()
    status, resume = call(restarted, "GET", f"/api/v1/playback/progress/{content_id}", token=token)
    assert status == 200 and acknowledged is not None
    assert resume["position_seconds"] == acknowledged["position_seconds"] == 60 + 30 * 7


# Ana's: the seeded demo viewers have finished titles of their own, Dune among them.
ARCHIVED = (
    "WITH ana AS (SELECT id FROM users WHERE email = 'ana@example.com') SELECT"
    " (SELECT position_seconds FROM watch_progress, ana WHERE content_id = CAST(:c AS uuid) AND user_id = ana.id),"
    " (SELECT count(*) FROM watch_events, ana WHERE content_id = CAST(:c AS uuid) AND user_id = ana.id)"
)


def wait_until_archived(database_url: str, content_id: str, expected: tuple[float, int]) -> None:
    deadline = time.monotonic() + 30
    archived = query(database_url, ARCHIVED, c=content_id)
    while archived != expected and time.monotonic() < deadline:
        time.sleep(0.2)
        archived = query(database_url, ARCHIVED, c=content_id)
    assert archived == expected  # the last position, and each update once in the history


def test_serve_with_worker_archives_by_itself_and_its_worker_dies_with_it(
    start: Any, shared_env: dict[str, str]
) -> None:
    base, process = start("--with-worker")
    token = sign_in(base)
    content_id = dune_id(base)
    for sequence in range(1, 6):
        status, _ = progress(base, token, content_id, 60 + sequence * 7, "tv", sequence)
        assert status == 200
    # Nobody reads the list, so only the worker can have archived these.
    wait_until_archived(shared_env["MG_DATABASE_URL"], content_id, (60 + 5 * 7, 5))

    workers = [p for p in psutil.Process(process.pid).children() if "worker" in p.cmdline()]
    assert len(workers) == 1
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    _, alive = psutil.wait_procs(workers, timeout=15)
    assert alive == []  # no orphaned worker after the server is killed


def test_after_a_sigkill_the_worker_archives_every_acknowledged_update(start: Any, shared_env: dict[str, str]) -> None:
    base, process = start()
    token = sign_in(base)
    content_id = dune_id(base)
    for sequence in range(1, 21):
        status, _ = progress(base, token, content_id, 60 + sequence * 7, "tv", sequence)
        assert status == 200
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)

    worker = subprocess.Popen([*CLI, "worker"], env=shared_env)
    try:
        wait_until_archived(shared_env["MG_DATABASE_URL"], content_id, (60 + 20 * 7, 20))
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
