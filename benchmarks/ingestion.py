"""Issue 13 figures: the ingestion worker's drain rate (changes applied per second) with 1 and 2
worker processes, beside a floor measured in the same run.

Each round announces a fresh platform's catalogue (movies and series, applied in-process: the
"known titles"), fills the stream through the real ``RedisDeliveryIntake`` with a mix of changes
(not measured), then starts the worker processes and waits until the stream is empty. The rate is
the changes over the span of their ``applied_at`` (first to last), so the workers' start-up is
not in it; the wall time from the start of the processes is given beside it. Rounds alternate
1 and 2 workers, since the catalog grows from round to round."""

from __future__ import annotations

import asyncio
import atexit
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from attrs import frozen
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.catalog.postgres_catalog_changes import PostgresCatalogChanges
from adapters.ingestion.redis_delivery_intake import RedisDeliveryIntake
from adapters.ingestion.redis_ingestion_codec import DEAD_LETTERS, RETRIES, STREAM
from adapters.postgres.database import create_engine
from adapters.shared.system import SystemClock, Uuid4Generator
from application.catalog.apply_catalog_change import ApplyCatalogChange, ApplyCatalogChangeCommand
from application.ingestion.ingested_change import IngestedChange
from application.ingestion.stream_ports import Accepted
from benchmarks.playback import database_url
from benchmarks.server import CLI
from domain.catalog.catalog_change import CatalogChange, EpisodeOf, OfferedIn, TitleDetails
from domain.catalog.content import ContentKind
from domain.catalog.external_ids import ExternalIds

ROUNDS = 3
KNOWN_MOVIES = 1_000
KNOWN_SERIES = 100
FLOOR_CHANGES = 5_000
FILL_CONCURRENCY = 256  # accepts in flight while filling: BatchedScript sends them as pipelines
DRAIN_TIMEOUT_SECONDS = 900
ANNOUNCED = datetime(2026, 1, 1, tzinfo=UTC)
# the mix of a fill: (share, kind of change)
MIX = (
    (0.30, "new movie"),
    (0.25, "known title upserted"),
    (0.20, "availability.changed"),
    (0.05, "content.removed"),
    (0.20, "new episode of a known series"),
)


@frozen
class Drain:
    workers: int
    changes: int
    rate: float  # changes / s over the applied_at span
    wall_seconds: float  # from starting the processes to the stream empty


def _offers(platform: str, content_id: str, n: int, regions: tuple[str, ...] = ("US", "GB")) -> list[OfferedIn]:
    return [OfferedIn.of(region, f"https://{platform}.example/title/{content_id}?v={n}") for region in regions]


def _movie(platform: str, content_id: str, n: int, at: datetime, imdb: str) -> CatalogChange:
    details = TitleDetails.of(
        title=f"Benchmark movie {content_id}",
        kind=ContentKind.MOVIE,
        release_year=2000 + n % 25,
        genres=["drama", "science-fiction"][: 1 + n % 2],
        synopsis=f"Announcement {n} of {content_id}.",
        external_ids=ExternalIds(imdb=imdb),
        runtime_seconds=5400 + n % 3600,
    )
    return CatalogChange.upserted(platform, content_id, at, details, _offers(platform, content_id, n))


def _series(platform: str, content_id: str, at: datetime) -> CatalogChange:
    details = TitleDetails.of(
        title=f"Benchmark series {content_id}", kind=ContentKind.SERIES, release_year=2020, genres=["comedy"]
    )
    return CatalogChange.upserted(platform, content_id, at, details, _offers(platform, content_id, 0))


def _episode(platform: str, series: str, number: int, n: int, at: datetime) -> CatalogChange:
    content_id = f"{series}-e{number}"
    details = TitleDetails.of(
        title=f"{series} episode {number}",
        kind=ContentKind.EPISODE,
        release_year=2020,
        synopsis=f"Episode {number}.",
        runtime_seconds=1800,
        episode_of=EpisodeOf(series, 1 + number // 20, number % 20 + 1),
    )
    return CatalogChange.upserted(platform, content_id, at, details, _offers(platform, content_id, n, ("US",)))


def known_catalogue(platform: str, tag: int) -> list[CatalogChange]:
    movies = [_movie(platform, f"m{k}", k, ANNOUNCED, f"tt9{tag:02d}{k:05d}") for k in range(KNOWN_MOVIES)]
    return movies + [_series(platform, f"s{k}", ANNOUNCED) for k in range(KNOWN_SERIES)]


def fill_changes(platform: str, count: int, tag: int) -> Iterator[CatalogChange]:
    """``count`` changes in the order a platform would send them, each newer than the last."""
    rng = random.Random(tag)
    kinds = [kind for _, kind in MIX]
    weights = [share for share, _ in MIX]
    removable = rng.sample(range(KNOWN_MOVIES), KNOWN_MOVIES)
    episodes = [0] * KNOWN_SERIES
    for n in range(count):
        at = ANNOUNCED + timedelta(days=1, seconds=n)
        kind = rng.choices(kinds, weights)[0]
        if kind == "content.removed" and removable:
            yield CatalogChange.removed(platform, f"m{removable.pop()}", at)
        elif kind == "known title upserted":
            k = rng.randrange(KNOWN_MOVIES)
            yield _movie(platform, f"m{k}", n, at, f"tt9{tag:02d}{k:05d}")
        elif kind == "availability.changed":
            content_id = f"m{rng.randrange(KNOWN_MOVIES)}"
            regions = tuple(rng.sample(["US", "GB", "DE", "FR", "JP"], rng.randint(1, 3)))
            offers = _offers(platform, content_id, n, regions)
            yield CatalogChange.availability_changed(platform, content_id, at, offers)
        elif kind == "new episode of a known series":
            s = rng.randrange(KNOWN_SERIES)
            episodes[s] += 1
            yield _episode(platform, f"s{s}", episodes[s], n, at)
        else:
            yield _movie(platform, f"new{n}", n, at, f"tt8{tag:02d}{n:06d}")


async def announce(engine: AsyncEngine, changes: list[CatalogChange], label: str) -> None:
    apply = ApplyCatalogChange(PostgresCatalogChanges(engine), Uuid4Generator(), SystemClock())
    for n, change in enumerate(changes):
        await apply(ApplyCatalogChangeCommand(change_id=f"{label}-known-{n}", change=change))


async def fill(redis: Redis, label: str, changes: Iterator[CatalogChange]) -> int:
    """Accept every change through the receiver's intake; how many were accepted."""
    intake = RedisDeliveryIntake(redis)
    limit = asyncio.Semaphore(FILL_CONCURRENCY)
    now = datetime.now(UTC)

    async def accept(n: int, change: CatalogChange) -> bool:
        entry = IngestedChange(
            event_id=f"{label}-{n:06d}",
            platform=change.platform,
            delivery_id=f"msg_{label}_{n}",
            fingerprint=change.fingerprint(),
            change=change,
            received_at=now,
        )
        async with limit:
            verdict = await intake.accept(entry, backlog_limit=10**9, horizon=timedelta(hours=1))
        return isinstance(verdict, Accepted)

    accepted = await asyncio.gather(*(accept(n, change) for n, change in enumerate(changes)))
    return sum(accepted)


async def drain(redis: Redis, engine: AsyncEngine, env: dict[str, str], label: str, workers: int) -> Drain:
    started = time.monotonic()
    processes = [
        await asyncio.create_subprocess_exec(*CLI, "worker", env=env, stdout=subprocess.DEVNULL) for _ in range(workers)
    ]
    try:
        deadline = started + DRAIN_TIMEOUT_SECONDS
        while await redis.xlen(STREAM) or await redis.zcard(RETRIES):
            if time.monotonic() > deadline or any(p.returncode is not None for p in processes):
                raise RuntimeError(f"the stream was not drained ({await redis.xlen(STREAM)} entries left)")
            await asyncio.sleep(0.1)
        wall = time.monotonic() - started
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()
    if dead := await redis.xlen(DEAD_LETTERS):
        raise RuntimeError(f"{dead} changes became dead letters: the benchmark's mix is wrong")
    async with engine.connect() as conn:
        count, first, last = (
            await conn.execute(
                text(
                    "SELECT count(*), min(applied_at), max(applied_at) FROM catalog_applied_changes "
                    "WHERE change_id >= :low AND change_id < :high"
                ),
                {"low": f"{label}-0", "high": f"{label}-:"},  # ':' follows the digits
            )
        ).one()
    span = (last - first).total_seconds()
    return Drain(workers, int(count), (count - 1) / span if span else 0.0, wall)


async def floor(engine: AsyncEngine, count: int, connections: int, label: str) -> float:
    """A bare ``INSERT … ON CONFLICT`` of one row per change, each in its own transaction through
    the same engine, on ``connections`` connections at once: changes/s."""
    statement = text(
        "INSERT INTO bench_floor (change_id, n) VALUES (:id, :n) ON CONFLICT (change_id) DO UPDATE SET n = EXCLUDED.n"
    )

    async def one_connection(offset: int) -> None:
        for n in range(offset, count, connections):
            async with engine.begin() as conn:
                await conn.execute(statement, {"id": f"{label}-{n}", "n": n})

    started = time.perf_counter()
    await asyncio.gather(*(one_connection(offset) for offset in range(connections)))
    return count / (time.perf_counter() - started)


async def ingestion_suite(changes: int) -> tuple[list[str], list[str]]:
    data_dir = tempfile.mkdtemp(prefix="mg-bench-")
    # Registered before the embedded servers start, so it runs after they are left (atexit is LIFO).
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    env = {**os.environ, "MG_DATA_DIR": data_dir, "MG_LOG_LEVEL": "WARNING"}
    seeded = await asyncio.create_subprocess_exec(*CLI, "seed-demo", env=env, stdout=subprocess.DEVNULL)
    if await seeded.wait():
        raise RuntimeError("seed-demo failed")
    url = database_url(env).replace("postgresql://", "postgresql+asyncpg://", 1)
    if env.get("MG_REDIS_URL"):
        redis_url = env["MG_REDIS_URL"]
    else:
        from adapters.embedded.embedded_redis import start_embedded_redis

        redis_url = start_embedded_redis(Path(data_dir))
    engine = create_engine(url, pool_size=4)  # as the worker makes its own
    redis = Redis.from_url(redis_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE bench_floor (change_id text PRIMARY KEY, n integer NOT NULL)"))
        return await _rounds(engine, redis, env, changes)
    finally:
        await redis.aclose()
        await engine.dispose()


async def _rounds(engine: AsyncEngine, redis: Redis, env: dict[str, str], changes: int) -> tuple[list[str], list[str]]:
    lines = [
        "| round | measured | changes | changes/s | wall s (with start-up) | vs floor |",
        "| ---: | --- | ---: | ---: | ---: | --- |",
    ]
    drains: dict[int, list[Drain]] = {1: [], 2: []}
    floors: dict[int, list[float]] = {1: [], 2: []}
    for round_number in range(ROUNDS):
        for workers in (1, 2):
            label = f"r{round_number}w{workers}"
            rate = await floor(engine, FLOOR_CHANGES, workers, label)
            floors[workers].append(rate)
            lines.append(
                f"| {round_number + 1} | floor: INSERT … ON CONFLICT, 1 tx/change, {workers} conn | "
                f"{FLOOR_CHANGES:,} | {rate:,.0f} | | |"
            )
            platform = f"bench-{label}"
            tag = round_number * 2 + workers
            began = time.monotonic()
            await announce(engine, known_catalogue(platform, tag), label)
            announced = time.monotonic()
            accepted = await fill(redis, label, fill_changes(platform, changes, tag))
            filled = time.monotonic()
            drained = await drain(redis, engine, env, label, workers)
            print(
                f"{label}: announced in {announced - began:.1f} s, filled in {filled - announced:.1f} s, "
                f"drained at {drained.rate:,.0f}/s",
                file=sys.stderr,
            )
            if drained.changes != accepted:
                raise RuntimeError(f"{accepted} changes accepted, {drained.changes} applied")
            drains[workers].append(drained)
            lines.append(
                f"| {round_number + 1} | drain, {workers} worker{'s' if workers > 1 else ''} | {drained.changes:,} | "
                f"{drained.rate:,.0f} | {drained.wall_seconds:.1f} | {drained.rate / rate:.3f}× floor |"
            )
    one = statistics.median(d.rate for d in drains[1])
    two = statistics.median(d.rate for d in drains[2])
    per_round = statistics.median(b.rate / a.rate for a, b in zip(drains[1], drains[2], strict=True))
    mix = ", ".join(f"{share:.0%} {kind}" for share, kind in MIX)
    notes = [
        f"Drain rate, median of {ROUNDS}: 1 worker {one:,.0f} changes/s, 2 workers {two:,.0f} changes/s: "
        f"speed-up {two / one:.2f}× (median of the rounds' own speed-ups {per_round:.2f}×; "
        f"floor medians: 1 connection {statistics.median(floors[1]):,.0f}/s, "
        f"2 connections {statistics.median(floors[2]):,.0f}/s)",
        f"Each fill: {changes:,} changes through RedisDeliveryIntake ({mix}), on a platform announcing "
        f"{KNOWN_MOVIES:,} movies and {KNOWN_SERIES} series first; changes/s is over the span of their applied_at.",
    ]
    return lines, notes
