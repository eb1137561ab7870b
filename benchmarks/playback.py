"""Issue 4 figures: Continue Watching with 10,000 users x 50 items, and cross-device sync latency."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from pathlib import Path

import aiohttp
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks.load import Request, Result, run

USERS = 10_000
ITEMS_PER_USER = 50
FLOOR = Request("GET", "/health/live")
# Every seeded user shares this Argon2id hash of "bench-viewer-password" (made once, below).
PASSWORD = "bench-viewer-password"


def database_url(env: dict[str, str]) -> str:
    if env.get("MG_DATABASE_URL"):
        return env["MG_DATABASE_URL"]
    from adapters.embedded.embedded_postgres import start_embedded_postgres

    return start_embedded_postgres(Path(env["MG_DATA_DIR"]))


async def seed_viewers(env: dict[str, str]) -> None:
    """10,000 users with 50 in-progress titles each, written straight into PostgreSQL."""
    from argon2 import PasswordHasher

    password_hash = PasswordHasher().hash(PASSWORD)
    engine = create_async_engine(database_url(env).replace("postgresql://", "postgresql+asyncpg://", 1))
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO users (id, email, display_name, password_hash, created_at) "
                "SELECT gen_random_uuid(), 'viewer' || n || '@example.com', 'Viewer ' || n, :hash, now() "
                "FROM generate_series(1, :users) AS n"
            ),
            {"hash": password_hash, "users": USERS},
        )
        await conn.execute(
            text(
                """
                WITH titles AS (
                    SELECT id, runtime_seconds, row_number() OVER (ORDER BY id) AS n
                    FROM content WHERE runtime_seconds IS NOT NULL
                ), total AS (SELECT count(*) AS c FROM titles)
                INSERT INTO watch_progress (user_id, content_id, position_seconds, duration_seconds, device_id,
                    session_id, sequence, server_order, updated_at, completed, dismissed, reason)
                SELECT u.id, t.id, 60 + (k * 37) % (t.runtime_seconds / 2), t.runtime_seconds, 'tv',
                    'seed-' || k, 1, nextval('watch_progress_order'), now() - (k || ' minutes')::interval,
                    false, false, 'resume'
                FROM users u
                CROSS JOIN generate_series(1, :items) AS k
                CROSS JOIN total
                JOIN titles t ON t.n = 1 + (abs(hashtext(u.id::text)) + k * 53) % total.c
                WHERE u.email LIKE 'viewer%'
                ON CONFLICT DO NOTHING
                """
            ),
            {"items": ITEMS_PER_USER},
        )
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("ANALYZE"))
    await engine.dispose()


async def tokens_for(base: str, count: int) -> list[str]:
    async with aiohttp.ClientSession(base) as session:
        tokens = []
        for n in random.Random(7).sample(range(1, USERS + 1), count):
            async with session.post(
                "/api/v1/auth/login", json={"email": f"viewer{n}@example.com", "password": PASSWORD}
            ) as response:
                tokens.append(str((await response.json())["access_token"]))
        return tokens


async def content_ids(base: str) -> list[str]:
    async with aiohttp.ClientSession(base) as session:
        ids = []
        for query in ["dune", "matrix", "harbor", "garden", "signal", "kingdom", "river", "echo"]:
            async with session.get(f"/api/v1/search?q={query}&page_size=50") as response:
                ids += [i["id"] for i in (await response.json())["items"] if i["kind"] != "series"]
        return ids


async def playback_suite(
    base: str, env: dict[str, str], duration: float, concurrency: int
) -> list[tuple[Result, Result]]:
    await seed_viewers(env)
    tokens = await tokens_for(base, 40)
    titles = await content_ids(base)
    rng = random.Random(11)
    sequences: dict[tuple[str, str], itertools.count[int]] = {}
    # 200 playbacks under way: each of the 40 viewers is watching 5 titles.
    playing = [(token, title) for token in tokens for title in rng.sample(titles, 5)]

    def progress(token: str, title: str) -> Request:
        # A device sends its playback session's updates one after another, so each viewer and
        # title has a session whose sequence increases (two workers rarely pick the same pair).
        sequence = next(sequences.setdefault((token, title), itertools.count(1)))
        body = {
            "content_id": title,
            "position_seconds": 30 + (sequence * 10) % 1200,
            "device_id": "bench-tv",
            "session_id": f"bench-{title[:8]}",
            "sequence": sequence,
        }
        return Request("POST", "/api/v1/playback/progress", json=body, headers={"Authorization": f"Bearer {token}"})

    def heartbeat(_: int) -> Request:
        return progress(*rng.choice(playing))

    def first_update(_: int) -> Request:
        # Mostly titles this viewer has not touched in this run: the live store has nothing
        # and loads the title's state from PostgreSQL first.
        return progress(rng.choice(tokens), rng.choice(titles))

    def continue_watching(_: int) -> Request:
        headers = {"Authorization": f"Bearer {rng.choice(tokens)}"}
        return Request("GET", "/api/v1/playback/continue-watching?limit=20", headers=headers)

    pairs = []
    for workers in (concurrency, 1):
        suffix = "" if workers == concurrency else " (1 at a time)"
        for name, make in [
            ("POST /api/v1/playback/progress (200 playing)", heartbeat),
            ("POST /api/v1/playback/progress (first update of a title)", first_update),
            ("GET /api/v1/playback/continue-watching", continue_watching),
        ]:
            floor = await run(
                base, f"floor GET /health/live{suffix}", lambda _: FLOOR, duration=duration, concurrency=workers
            )
            measured = await run(base, name + suffix, make, duration=duration, concurrency=workers, ok=(200, 409))
            pairs.append((floor, measured))
    return pairs


async def sync_latency(base: str, events: int = 200) -> Result:
    """Time from a progress POST on one device to its event on another device's SSE stream."""
    token = (await tokens_for(base, 1))[0]
    titles = await content_ids(base)
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    sent: dict[float, float] = {}
    async with aiohttp.ClientSession(base, timeout=aiohttp.ClientTimeout(total=None)) as session:
        stream = await session.get("/api/v1/sync/events?device_id=phone", headers=headers)
        await stream.content.readline()  # ": connected"
        await asyncio.sleep(0.3)

        async def read() -> None:
            while len(latencies) < events:
                line = (await stream.content.readline()).decode()
                if line.startswith("data: "):
                    position = json.loads(line[6:])["position_seconds"]
                    if position in sent:
                        latencies.append((time.perf_counter() - sent.pop(position)) * 1000)

        reader = asyncio.create_task(read())
        started = time.perf_counter()
        for n in range(events):
            position = 100.0 + n
            sent[position] = time.perf_counter()
            body = {
                "content_id": titles[0],
                "position_seconds": position,
                "device_id": "tv",
                "session_id": "sync-bench",
                "sequence": n + 1,
            }
            async with session.post("/api/v1/playback/progress", json=body, headers=headers) as response:
                await response.read()
            await asyncio.sleep(0.005)
        await asyncio.wait_for(reader, 30)
        elapsed = time.perf_counter() - started
        stream.close()
    return Result("sync: POST on tv -> SSE event on phone", len(latencies), events - len(latencies), elapsed, latencies)
