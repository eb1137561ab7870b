"""The search index as it runs: `serve` reads it, the worker writes it, over the suite's servers
with the demo catalog seeded. A platform's change sent as a signed webhook is found through
`serve` within a second of the worker applying it; `media-gateway reindex` rebuilds the index
beside the running worker; /health/aggregate reports the index's lag; a second worker stands by
and takes the index over when the first dies."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.parse
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from adapters.catalog.tantivy_index_directory import WRITER_LOCK, TantivyIndexDirectory
from tests.integration.test_service_process import CLI, call
from tests.integration.test_webhook_chaos_processes import admin_token
from tests.support.servers import query, query_all

pytestmark = pytest.mark.integration

PLATFORM = "quickflix"


def _titles(base: str, text: str) -> list[str]:
    status, page = call(base, "GET", "/api/v1/search?" + urllib.parse.urlencode({"q": text}))
    assert status == 200, page
    return [item["title"] for item in page["items"]]


def _index_check(base: str) -> dict[str, Any]:
    status, body = call(base, "GET", "/health/aggregate")
    assert status in (200, 503), body
    (reading,) = body["checks"]["search-index:lag"]
    return dict(reading)


def _wait(condition: Any, seconds: float, what: str) -> float:
    """Poll ``condition`` until it holds; return the wall-clock time it first held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return time.time()
        time.sleep(0.02)
    raise AssertionError(f"{what} within {seconds} s")


def _send(base: str, secret: str, body: dict[str, Any]) -> str:
    text, message_id, now = json.dumps(body), f"msg_{uuid.uuid4().hex}", datetime.now(UTC)
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, text),
    }
    response = httpx.post(f"{base}/api/v1/webhooks/{PLATFORM}", content=text.encode(), headers=headers, timeout=10)
    assert response.status_code == 202, response.text
    return str(response.json()["event_id"])


def _upsert(pcid: str, title: str) -> dict[str, Any]:
    return {
        "type": "content.upserted",
        "occurred_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "data": {
            "platform_content_id": pcid,
            "title": title,
            "kind": "movie",
            "release_year": 2026,
            "synopsis": "A marsupial crosses the galaxy.",
            "genres": ["adventure"],
            "availability": [{"region": "US", "deep_link": f"https://quickflix.example/{pcid}"}],
        },
    }


def _applied_at(database: str, event_id: str) -> float | None:
    rows = query_all(database, "SELECT applied_at FROM catalog_applied_changes WHERE change_id = :id", id=event_id)
    return float(rows[0][0].timestamp()) if rows else None  # type: ignore[attr-defined]


def test_webhook_changes_are_found_within_a_second_and_reindex_runs_beside_the_worker(
    start: Any, shared_env: dict[str, str]
) -> None:
    env = {**shared_env, "MG_SEARCH_ENGINE": "tantivy", "MG_HEALTH_CACHE_SECONDS": "0"}
    base, _ = start(**{k: v for k, v in env.items() if k.startswith("MG_")})
    assert _titles(base, "dune")[0] == "Dune"  # no index yet: PostgreSQL answers
    assert "no search index built yet" in _index_check(base)["output"]

    token = admin_token(base, env)
    status, registration = call(
        base, "POST", "/api/v1/webhooks/registrations", {"platform": PLATFORM, "scheme": "standard"}, token=token
    )
    assert status == 201, registration
    database = env["MG_DATABASE_URL"]
    worker = subprocess.Popen([*CLI, "worker"], env=env)
    try:
        _wait(lambda: _index_check(base).get("built"), 60, "the worker built no index")
        assert _titles(base, "dune")[0] == "Dune"  # the demo catalog, from the index now

        event = _send(base, registration["secret"], _upsert("qf-1", "Quokka Nebula"))
        found_at = _wait(lambda: _titles(base, "quokka nebula") == ["Quokka Nebula"], 30, "the new title not found")
        applied_at = _applied_at(database, event)
        assert applied_at is not None
        assert found_at - applied_at < 1.0, f"found {found_at - applied_at:.2f} s after it was applied"

        removed = {"type": "content.removed", "occurred_at": datetime.now(UTC).isoformat(), "data": {}}
        removed["data"] = {"platform_content_id": "qf-1"}
        event = _send(base, registration["secret"], removed)
        gone_at = _wait(lambda: _titles(base, "quokka nebula") == [], 30, "the removed title still found")
        applied_at = _applied_at(database, event)
        assert applied_at is not None and gone_at - applied_at < 1.0

        reindexed = subprocess.run([*CLI, "reindex"], env=env, capture_output=True, text=True, timeout=180)
        assert reindexed.returncode == 0, reindexed.stderr
        assert "search index rebuilt" in reindexed.stdout
        _send(base, registration["secret"], _upsert("qf-2", "Wombat Odyssey"))  # the worker follows the new index
        _wait(lambda: _titles(base, "wombat odyssey") == ["Wombat Odyssey"], 10, "a change after reindex not found")
        assert worker.poll() is None

        reading = _index_check(base)
        assert reading["status"] == "pass" and reading["changes"] == 0
        assert reading["observedValue"] < 1.0
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)

    # with the worker stopped, a change waits for the index, and health says how many and for how long
    query(database, "UPDATE content SET synopsis = synopsis || '.' WHERE title = 'Dune' RETURNING id")
    time.sleep(1.2)
    reading = _index_check(base)
    assert reading["changes"] == 1 and reading["observedValue"] >= 1.0


def _total(base: str, text: str) -> int:
    status, page = call(base, "GET", "/api/v1/search?" + urllib.parse.urlencode({"q": text}))
    assert status == 200, page
    return int(page["total"])


def _writer_of(index_root: Path) -> int:
    """The pid holding the live generation's writer lock (Tantivy's is an flock), from /proc/locks."""
    generation = TantivyIndexDirectory(index_root).current()
    assert generation is not None
    inode = (generation / WRITER_LOCK).stat().st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()  # 1: FLOCK  ADVISORY  WRITE 4242 fd:01:123456 0 EOF
        if fields[1] == "FLOCK" and fields[5].rsplit(":", 1)[-1] == str(inode):
            return int(fields[4])
    raise AssertionError("nobody holds the index's writer lock")


def _rename_movies(database: str, word: str) -> list[tuple[object, ...]]:
    """Every film's title gets ``word`` at its end, in one transaction."""
    renaming = "UPDATE content SET title = title || ' ' || :w WHERE kind = 'movie' RETURNING id"
    return query_all(database, renaming, w=word)


def test_a_second_worker_stands_by_and_takes_over_when_the_first_is_killed_mid_sync(
    start: Any, shared_env: dict[str, str]
) -> None:
    env = {**shared_env, "MG_SEARCH_ENGINE": "tantivy", "MG_HEALTH_CACHE_SECONDS": "0"}
    base, _ = start(**{k: v for k, v in env.items() if k.startswith("MG_")})
    database, index_root = env["MG_DATABASE_URL"], Path(env["MG_DATA_DIR"]) / "search-index"
    workers = [subprocess.Popen([*CLI, "worker"], env=env)]
    try:
        _wait(lambda: _index_check(base).get("built"), 60, "the worker built no index")
        workers.append(subprocess.Popen([*CLI, "worker"], env=env))
        renamed = _rename_movies(database, "Zebrafinch")
        _wait(lambda: _total(base, "zebrafinch") == len(renamed), 30, "the renamed titles not found")
        (writer,) = [w for w in workers if w.pid == _writer_of(index_root)]
        (standby,) = [w for w in workers if w is not writer]

        renamed = _rename_movies(database, "Kingfisher")
        time.sleep(0.05)  # the writer is picking the change up
        writer.kill()
        writer.wait(10)
        _wait(lambda: _total(base, "kingfisher") == len(renamed), 30, "the second worker did not take over")
        assert _writer_of(index_root) == standby.pid and standby.poll() is None
        _wait(lambda: _index_check(base)["status"] == "pass", 10, "the index still lags")
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(30)
