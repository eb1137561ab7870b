"""Platform webhooks under fire, as processes: a `serve` receiving 10,000 signed deliveries (5%
re-sent under the same id, 2% re-sent under a new id, 1% poison) while the worker applying them
is SIGKILLed three times and restarted. The catalog ends exactly as the accepted deliveries say,
the dead letters hold exactly the poison, nothing is applied twice and nothing accepted is lost."""

from __future__ import annotations

import asyncio
import json
import random
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from redis import Redis
from standardwebhooks import Webhook

from tests.integration.test_service_process import CLI, call
from tests.support.servers import query, query_all

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PLATFORM = "chaosflix"
DELIVERIES = 10_000
SAME_ID_SHARE, NEW_ID_SHARE, POISON_SHARE = 0.05, 0.02, 0.01
TITLES = 1_500
SERIES = 20
SENDERS = 16
KILLS = 3
START = datetime(2026, 11, 1, tzinfo=UTC)
REGIONS = ("US", "GB", "DE", "FR", "BR", "JP", "IN", "CA")


class Delivery:
    """One HTTP delivery: the body exactly as signed, its id, and what it announces."""

    def __init__(self, message_id: str, body: dict[str, Any], title: str, poison: bool = False) -> None:
        self.message_id = message_id
        self.body = body
        self.text = json.dumps(body)
        self.title = title
        self.poison = poison
        self.answer: tuple[int, dict[str, Any]] | None = None

    def resent(self, *, new_id: bool) -> Delivery:
        return Delivery(f"msg_{uuid.uuid4().hex}" if new_id else self.message_id, self.body, self.title, self.poison)


def availability(pcid: str, regions: list[str]) -> list[dict[str, str]]:
    return [{"region": r, "deep_link": f"https://chaosflix.example/watch/{pcid}?r={r}"} for r in sorted(regions)]


def upsert(pcid: str, at: datetime, version: int, regions: list[str]) -> dict[str, Any]:
    return {
        "type": "content.upserted",
        "occurred_at": at.isoformat().replace("+00:00", "Z"),
        "data": {
            "platform_content_id": pcid,
            "title": f"Chaos Title {pcid}",
            "kind": "movie",
            "release_year": 2000 + int(pcid.split("-")[1]) % 25,
            "synopsis": f"Version {version} of {pcid}.",
            "genres": ["drama"],
            "availability": availability(pcid, regions),
        },
    }


def scripted_deliveries(seed: int = 13) -> tuple[list[list[Delivery]], dict[str, dict[str, Any]], int]:
    """Per title, its deliveries in order (re-sends right after what they re-send), and the
    state each title must end in: the last change announced for it."""
    rng = random.Random(seed)
    unique = round(DELIVERIES / (1 + SAME_ID_SHARE + NEW_ID_SHARE))
    poison = round(DELIVERIES * POISON_SHARE)
    series = [f"cs-{i}" for i in range(SERIES)]
    queues: dict[str, list[Delivery]] = {}
    expected: dict[str, dict[str, Any]] = {}
    clock: dict[str, datetime] = {}

    def next_at(title: str) -> datetime:
        clock[title] = clock.get(title, START) + timedelta(seconds=rng.randint(1, 600))
        return clock[title]

    def message(body: dict[str, Any], title: str, bad: bool = False) -> None:
        queues.setdefault(title, []).append(Delivery(f"msg_{uuid.uuid4().hex}", body, title, bad))

    for s in series:  # the series exist before the storm (sent first, in their own queues)
        body = upsert(s, next_at(s), 1, ["US"])
        body["data"].update(kind="series", title=f"Chaos Series {s}")
        message(body, s)
        expected[s] = {"removed": False, "synopsis": body["data"]["synopsis"], "regions": ["US"]}
    for i in range(poison):  # episodes of series nobody announced: poison
        pcid = f"cx-{i}"
        body = upsert(pcid, next_at(pcid), 1, ["US"])
        body["data"].update(
            kind="episode", series_platform_content_id=f"never-announced-{i}", season_number=1, episode_number=i + 1
        )
        message(body, pcid, bad=True)
    titles = [f"ct-{i}" for i in range(TITLES)]
    for pcid in titles:  # every title starts with an upsert
        regions = rng.sample(REGIONS, rng.randint(1, 4))
        body = upsert(pcid, next_at(pcid), 1, regions)
        message(body, pcid)
        expected[pcid] = {"removed": False, "synopsis": body["data"]["synopsis"], "regions": sorted(regions)}
    while sum(len(q) for q in queues.values()) < unique:
        pcid = rng.choice(titles)
        state, at = expected[pcid], next_at(pcid)
        roll = rng.random()
        if roll < 0.45:
            version = int(state["synopsis"].split()[1]) + 1 if not state["removed"] else 1
            regions = rng.sample(REGIONS, rng.randint(1, 4))
            body = upsert(pcid, at, version, regions)
            state.update(removed=False, synopsis=body["data"]["synopsis"], regions=sorted(regions))
        elif roll < 0.85 and not state["removed"]:
            regions = rng.sample(REGIONS, rng.randint(0, 4))
            if sorted(regions) == state["regions"]:
                continue  # announcing what is already so would be a re-send, not a change
            body = {
                "type": "availability.changed",
                "occurred_at": at.isoformat().replace("+00:00", "Z"),
                "data": {"platform_content_id": pcid, "availability": availability(pcid, regions)},
            }
            state["regions"] = sorted(regions)
        elif not state["removed"]:
            body = {
                "type": "content.removed",
                "occurred_at": at.isoformat().replace("+00:00", "Z"),
                "data": {"platform_content_id": pcid},
            }
            state.update(removed=True, regions=[])
        else:
            continue
        message(body, pcid)
    originals = [d for q in queues.values() for d in q]
    for d in rng.sample(originals, round(DELIVERIES * NEW_ID_SHARE)):
        queue = queues[d.title]
        queue.insert(queue.index(d) + 1, d.resent(new_id=True))  # the same change, right after, new id
    for d in rng.sample(originals, DELIVERIES - sum(len(q) for q in queues.values())):
        queue = queues[d.title]
        queue.insert(rng.randint(queue.index(d) + 1, len(queue)), d.resent(new_id=False))  # a retry, any time later
    ordered = [queues.pop(s) for s in series] + list(queues.values())
    return ordered, expected, len(originals)


async def send_all(base: str, secret: str, queues: list[list[Delivery]], series: int) -> None:
    signer = Webhook(secret)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:

        async def send(delivery: Delivery) -> None:
            for _ in range(100):
                now = datetime.now(UTC)
                headers = {
                    "content-type": "application/json",
                    "webhook-id": delivery.message_id,
                    "webhook-timestamp": str(int(now.timestamp())),
                    "webhook-signature": signer.sign(delivery.message_id, now, delivery.text),
                }
                response = await client.post(
                    f"/api/v1/webhooks/{PLATFORM}", content=delivery.text.encode(), headers=headers
                )
                if response.status_code == 429:  # back-pressure: come back as told
                    await asyncio.sleep(float(response.headers.get("retry-after", "1")))
                    continue
                delivery.answer = (response.status_code, response.json())
                return
            raise AssertionError("a delivery was pushed back a hundred times")

        for queue in queues[:series]:  # the series first, so their episodes find them
            for delivery in queue:
                await send(delivery)
        pending = list(queues[series:])
        random.Random(7).shuffle(pending)

        async def sender() -> None:
            while pending:
                for delivery in pending.pop():
                    await send(delivery)

        await asyncio.gather(*(sender() for _ in range(SENDERS)))


@pytest.fixture
def worker_env(shared_env: dict[str, str]) -> Iterator[dict[str, str]]:
    env = {**shared_env, "MG_INGESTION_CLAIM_AFTER_SECONDS": "1", "MG_WEBHOOK_BACKLOG_LIMIT": "100000"}
    client = Redis.from_url(env["MG_REDIS_URL"])
    for key in client.scan_iter(match="mg:ing:*"):
        client.delete(key)
    yield env
    client.close()


def applied_count(database: str) -> int:
    (count,) = query(database, "SELECT count(*) FROM catalog_applied_changes")
    return int(count)  # type: ignore[call-overload]


def admin_token(base: str, env: dict[str, str]) -> str:
    password = "a long passphrase for the operator"
    call(base, "POST", "/api/v1/auth/register", {"email": "ops@example.com", "password": password})
    granted = subprocess.run([*CLI, "grant-admin", "ops@example.com"], env=env, capture_output=True, timeout=60)
    assert granted.returncode == 0, granted.stderr
    status, tokens = call(base, "POST", "/api/v1/auth/login", {"email": "ops@example.com", "password": password})
    assert status == 200, tokens
    return str(tokens["access_token"])


def test_ten_thousand_deliveries_through_three_worker_crashes(start: Any, worker_env: dict[str, str]) -> None:
    base, _ = start(**{k: v for k, v in worker_env.items() if k.startswith("MG_")})
    token = admin_token(base, worker_env)
    status, registration = call(
        base, "POST", "/api/v1/webhooks/registrations", {"platform": PLATFORM, "scheme": "standard"}, token=token
    )
    assert status == 201, registration
    queues, expected, originals = scripted_deliveries()
    deliveries = [d for q in queues for d in q]
    assert len(deliveries) == DELIVERIES

    database = worker_env["MG_DATABASE_URL"]
    redis = Redis.from_url(worker_env["MG_REDIS_URL"])
    waiting: list[int] = []
    workers = [subprocess.Popen([*CLI, "worker"], env=worker_env)]
    try:
        sending = threading.Thread(target=lambda: asyncio.run(send_all(base, registration["secret"], queues, SERIES)))
        sending.start()
        for _ in range(KILLS):  # once it has applied a few hundred more, kill the worker mid-batch
            applied_before = applied_count(database)
            deadline = time.monotonic() + 60
            while applied_count(database) < applied_before + 300 and time.monotonic() < deadline:
                time.sleep(0.2)
            waiting.append(int(redis.xlen("mg:ing:changes")))  # work in flight when it dies
            workers[-1].send_signal(signal.SIGKILL)
            workers[-1].wait(10)
            workers.append(subprocess.Popen([*CLI, "worker"], env=worker_env))
        sending.join(300)
        assert not sending.is_alive(), "the deliveries were not all answered within 5 minutes"
        assert len(waiting) == KILLS and all(waiting), f"a worker was killed with nothing waiting: {waiting}"
        answers = [d.answer for d in deliveries]
        assert all(a is not None and a[0] == 202 for a in answers), [a for a in answers if not a or a[0] != 202][:5]
        accepted = [d for d in deliveries if d.answer and not d.answer[1]["duplicate"]]
        resent = [d for d in deliveries if d.answer and d.answer[1]["duplicate"]]
        poison = {d.answer[1]["event_id"] for d in accepted if d.poison and d.answer}
        good = {d.answer[1]["event_id"] for d in accepted if not d.poison and d.answer}
        assert len(accepted) == originals, "a re-send was taken for a new change, or a change for a re-send"
        assert len(resent) == DELIVERIES - originals
        assert len(poison) == round(DELIVERIES * POISON_SHARE)

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            applied = {row[0] for row in query_all(database, "SELECT change_id FROM catalog_applied_changes")}
            if applied >= good:
                break
            assert workers[-1].poll() is None, "the worker exited"
            time.sleep(1)
        assert applied == good, f"{len(good - applied)} accepted changes never applied, {len(applied - good)} unknown"
        dead = redis.xrange("mg:ing:dead")
        dead_events = [fields[b"event"].decode() for _, fields in dead]
        assert sorted(dead_events) == sorted(poison), "the dead letters are not exactly the poison"
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(30)
        redis.close()

    rows = query_all(
        database,
        """
        SELECT t.platform_content_id, t.removed, c.synopsis,
               coalesce(array_agg(a.region ORDER BY a.region) FILTER (WHERE a.region IS NOT NULL), '{}')
        FROM catalog_platform_titles t JOIN content c ON c.id = t.content_id
        LEFT JOIN content_availability a ON a.content_id = t.content_id AND a.platform = :platform
        WHERE t.platform = :platform
        GROUP BY t.platform_content_id, t.removed, c.synopsis
        """,
        platform=PLATFORM,
    )
    found = {
        pcid: {"removed": removed, "synopsis": synopsis, "regions": list(regions)}
        for pcid, removed, synopsis, regions in rows
    }
    wrong = {pcid: (found.get(pcid), state) for pcid, state in expected.items() if found.get(pcid) != state}
    assert not wrong, f"{len(wrong)} titles differ from what was announced, e.g. {list(wrong.items())[:3]}"
    (titles,) = query(database, "SELECT count(*) FROM content WHERE title LIKE 'Chaos Title %'")
    assert titles == TITLES, "a title was created twice"
