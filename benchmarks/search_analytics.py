"""Search analytics benchmarks:
``python -m benchmarks.search_analytics [--part capture|report|all] [--duration S] [--searches N] [--rounds R]``.

capture — ``GET /api/v1/search`` on two services on the same data directory and servers, neither
with a worker (the search index built once by ``media-gateway reindex``): the seeded one recording
every search (the default) and a second with
``MG_SEARCH_ANALYTICS=off``.
Rounds alternate between them (which goes first alternates too), one connection at a time and 16
at once; the notes give the median throughput ratio (on / off) and the median p99 difference
against the issue's targets (≥ 0.95, ≤ 1 ms). The query mix comes from the demo catalog (titles,
first words, typos, words it does not have), from 500 different anonymous viewers.

report — 30 days of synthetic searches (``--searches``, 10 million by default) written into the
raw partitions with SQL (a Zipf-like mix over 20,000 queries from the demo vocabulary plus 3%
one-off queries; 200,000 viewers a day; 30% with a platform filter; 35% of searches with results
clicked), then rolled up by the worker's own ``RollUpSearches`` (timed; then five steady-state runs
with only the current hour marked), then ``GET /api/v1/admin/search/analytics`` for every window,
with and without a platform, one at a time beside the floor (target p99 ≤ 200 ms).

Results go to ``benchmarks/results/search-analytics.md`` (each part replaces its own section).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import platform
import random
import statistics
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from benchmarks.load import Request, Result, run
from benchmarks.server import CLI, admin_token, seeded_service, serving

FLOOR = Request("GET", "/health/live")
RESULTS = Path(__file__).with_name("results") / "search-analytics.md"
DEMO_CATALOG = Path(__file__).parents[1] / "adapters" / "catalog" / "demo_catalog.jsonl.gz"
ROUNDS = 5
VOCABULARY = 20_000
VIEWERS_PER_DAY = 200_000
PLATFORMS = ["netflix", "prime-video", "disney-plus", "max", "apple-tv", "hulu", "peacock", "paramount-plus"]
ADMIN, PASSWORD = "bench-analytics@example.com", "bench-analytics-password-1"
TARGET_RATIO, TARGET_ADDED_P99_MS, TARGET_REPORT_P99_MS = 0.95, 1.0, 200.0


def demo_titles() -> list[str]:
    with gzip.open(DEMO_CATALOG, "rt") as lines:
        return [json.loads(line)["title"] for line in lines]


def vocabulary(size: int, seed: int = 7) -> list[tuple[str, bool]]:
    """``size`` distinct queries as people type them, each with whether it finds nothing: whole
    titles, first words, one-letter typos, and words the catalog does not have (zero results)."""
    rng = random.Random(seed)
    titles = demo_titles()
    seen: dict[str, bool] = {}
    missing = ["dune", "oppenheimer", "succession", "bluey", "the bear", "severance", "shogun", "barbie"]
    while len(seen) < size:
        title = rng.choice(titles).lower()
        draw = rng.random()
        if draw < 0.5:
            query, zero = title, False
        elif draw < 0.75:
            query, zero = " ".join(title.split()[: rng.randint(1, 2)]), False
        elif draw < 0.93:
            i = rng.randrange(len(title))
            query, zero = title[:i] + title[i + 1 :], False
        else:
            query, zero = f"{rng.choice(missing)} {rng.randint(2, 9999)}", True
        seen.setdefault(query, zero)
    return list(seen.items())


# --- capture: analytics on vs off ---------------------------------------------------------------


def search_requests(seed: int = 11) -> list[Request]:
    rng = random.Random(seed)
    queries = [query for query, _ in vocabulary(2_000)]
    return [
        Request(
            "GET",
            f"/api/v1/search?q={quote(rng.choice(queries))}",
            headers={"User-Agent": f"bench-viewer-{rng.randrange(500)}"},
        )
        for _ in range(20_000)
    ]


async def capture(duration: float, concurrency: int, rounds: int) -> list[str]:
    requests = search_requests()
    # No worker beside either: what capture costs is the search's own process (the buffer and its
    # flusher); the rollups are the worker's, timed by the report part.
    with (
        seeded_service(with_worker=False) as (on_base, env),
        serving({**env, "MG_SEARCH_ANALYTICS": "off"}, with_worker=False) as off,
    ):
        # the search index the worker would have built (searches fall back to PostgreSQL without one)
        subprocess.run([*CLI, "reindex"], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: ASYNC221 (before any timing)
        services = {"on": on_base, "off": off}
        rows: dict[tuple[str, int], list[Result]] = {}
        floors: list[Result] = []
        for round_number in range(rounds):
            for width in (1, concurrency):
                order = ["on", "off"] if round_number % 2 == 0 else ["off", "on"]
                floors.append(await run(on_base, "floor", lambda _: FLOOR, duration=duration / 2, concurrency=width))
                for label in order:
                    result = await run(
                        services[label],
                        f"GET /api/v1/search, analytics {label}",
                        lambda n: requests[n % len(requests)],
                        duration=duration,
                        concurrency=width,
                    )
                    rows.setdefault((label, width), []).append(result)
        stored = await _stored_searches(env)
    lines = [
        f"Capture, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, Python {platform.python_version()}: "
        f"`python -m benchmarks.search_analytics --part capture --duration {duration:g} --rounds {rounds}`. "
        f"Two services on one "
        f"data directory (embedded PostgreSQL and Redis, the Tantivy index built by `reindex`), analytics on "
        f"and off, no worker; {rounds} "
        f"alternating rounds of {duration:g} s per row; the demo query mix from 500 anonymous viewers.",
        "",
        "| connections | analytics | req/s (median) | p50 ms (median) | p99 ms (median) | rounds |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    notes = []
    for width in (1, concurrency):
        for label in ("on", "off"):
            results = rows[(label, width)]
            lines.append(
                f"| {width} | {label} | {statistics.median(r.rps for r in results):,.0f} | "
                f"{statistics.median(r.p50 for r in results):.2f} | {statistics.median(r.p99 for r in results):.2f} | "
                f"{len(results)} |"
            )
        ratios = [on.rps / off.rps for on, off in zip(rows[("on", width)], rows[("off", width)], strict=True)]
        added = [on.p99 - off.p99 for on, off in zip(rows[("on", width)], rows[("off", width)], strict=True)]
        ratio, extra = statistics.median(ratios), statistics.median(added)
        notes.append(
            f"- {width} connection{'s' if width > 1 else ''}: throughput on/off median {ratio:.3f} "
            f"(rounds {', '.join(f'{r:.3f}' for r in ratios)}; target ≥ {TARGET_RATIO}: "
            f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}); added p99 median {extra:+.2f} ms "
            f"(rounds {', '.join(f'{a:+.2f}' for a in added)}; target ≤ {TARGET_ADDED_P99_MS:g} ms: "
            f"{'met' if extra <= TARGET_ADDED_P99_MS else 'NOT met'})."
        )
    floor_rps = statistics.median(f.rps for f in floors)
    notes.append(
        f"- Floor (`GET /health/live`) median {floor_rps:,.0f} req/s; searches stored by the 'on' service: {stored:,}."
    )
    return [*lines, "", *notes]


async def _stored_searches(env: dict[str, str]) -> int:
    from sqlalchemy import text

    engine = await _engine(env)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text("SELECT count(*) FROM search_events"))).scalar_one())
    finally:
        await engine.dispose()


# --- report: the endpoint over 30 days of 10 million searches -------------------------------------


async def _engine(env: dict[str, str]):  # type: ignore[no-untyped-def]
    from sqlalchemy.ext.asyncio import create_async_engine

    from benchmarks.playback import database_url

    return create_async_engine(database_url(env).replace("postgresql://", "postgresql+asyncpg://", 1))


_DAY_OF_SEARCHES = """
    INSERT INTO search_events (occurred_at, search_id, query, query_key, platform, genre, year, page,
        page_size, result_count, latency_ms, viewer, result_ids)
    SELECT s.at, gen_random_uuid(),
        CASE WHEN s.junk THEN 'one-off ' || s.n ELSE v.query END,
        CASE WHEN s.junk THEN hashtextextended('one-off ' || s.n, 0) ELSE v.query_key END,
        s.platform, NULL, NULL, 1, 20,
        CASE WHEN v.zero AND NOT s.junk THEN 0 ELSE 1 + floor(random() * 200)::int END,
        -- log-normal, median 6 ms
        exp(ln(6) + 0.6 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())),
        hashtextextended(:day_label || '/' || s.viewer, 0),
        '{}'
    FROM (
        SELECT n,
            CAST(:day AS timestamptz) + floor(random() * 86400000) * interval '1 millisecond' AS at,
            floor(pow(random(), 4) * :vocabulary)::int AS k,
            random() < 0.03 AS junk,
            CASE WHEN random() < 0.7 THEN '' ELSE (CAST(:platforms AS text[]))[1 + floor(random() * 8)::int] END
                AS platform,
            floor(pow(random(), 2) * :viewers)::int AS viewer
        FROM generate_series(1, :count) AS n
    ) s
    JOIN bench_vocabulary v ON v.k = s.k
"""
_DAY_OF_CLICKS = """
    INSERT INTO search_clicks (search_at, search_id, content_id, position, clicked_at)
    SELECT occurred_at, search_id, gen_random_uuid(), 1 + floor(pow(random(), 2) * 20)::int,
        occurred_at + interval '5 seconds'
    FROM search_events
    WHERE occurred_at >= CAST(:day AS timestamptz) AND occurred_at < CAST(:day AS timestamptz) + interval '1 day'
      AND result_count > 0 AND random() < 0.35
"""


async def synthesize(env: dict[str, str], searches: int, days: int) -> tuple[float, datetime]:
    """Write ``searches`` over the last ``days`` days; returns the seconds it took and the start."""
    from sqlalchemy import text

    from adapters.search_analytics.search_partitions import create_day_partitions
    from domain.search_analytics.queries import query_key

    engine = await _engine(env)
    started = time.perf_counter()
    now = datetime.now(UTC)
    first = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    words = vocabulary(VOCABULARY)
    try:
        async with engine.begin() as conn:
            await create_day_partitions(conn, [(first + timedelta(days=d)).date() for d in range(days + 1)])
            await conn.execute(text("DROP TABLE IF EXISTS bench_vocabulary"))
            await conn.execute(
                text("CREATE TABLE bench_vocabulary (k int PRIMARY KEY, query text, query_key bigint, zero bool)")
            )
            await conn.execute(
                text("INSERT INTO bench_vocabulary VALUES (:k, :query, :query_key, :zero)"),
                [{"k": k, "query": q, "query_key": query_key(q), "zero": zero} for k, (q, zero) in enumerate(words)],
            )
        per_day = searches // days
        for d in range(days):
            day = first + timedelta(days=d)
            async with engine.begin() as conn:
                values = {
                    "day": day,
                    "day_label": day.date().isoformat(),
                    "vocabulary": VOCABULARY,
                    "platforms": PLATFORMS,
                    "viewers": VIEWERS_PER_DAY,
                    "count": per_day,
                }
                await conn.execute(text(_DAY_OF_SEARCHES), values)
                await conn.execute(text(_DAY_OF_CLICKS), {"day": day})
            print(f"  day {d + 1}/{days} written", flush=True)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO search_rollup_pending (bucket_start, mark) "
                    "SELECT h, nextval('search_rollup_marks') FROM generate_series(CAST(:first AS timestamptz), "
                    "CAST(:now AS timestamptz), interval '1 hour') AS h ON CONFLICT DO NOTHING"
                ),
                {"first": first, "now": now},
            )
            await conn.execute(text("DROP TABLE bench_vocabulary"))
            await conn.execute(text("ANALYZE search_events"))
    finally:
        await engine.dispose()
    return time.perf_counter() - started, first


_MARK_THIS_HOUR = """
    INSERT INTO search_rollup_pending (bucket_start, mark)
    VALUES (date_trunc('hour', now()), nextval('search_rollup_marks'))
    ON CONFLICT (bucket_start) DO UPDATE SET mark = excluded.mark
"""


async def roll_up_everything(env: dict[str, str]) -> tuple[float, int, list[float]]:
    """The first rollup of every hour (seconds, hours), then the worker's steady state: five runs
    with only the current hour marked, each also rebuilding the report's windows (seconds each)."""
    from sqlalchemy import text

    from adapters.embedded.embedded_redis import leave_embedded_redis
    from entrypoints.config import Settings
    from entrypoints.container import Container
    from entrypoints.lifecycle import opened, prepare_servers

    settings = await prepare_servers(Settings.from_env(env))
    started = time.perf_counter()
    hours = 0
    steady: list[float] = []
    async with opened(Container(settings=settings)) as container:
        roll_up = container.search_analytics.roll_up_searches()
        while rolled := await roll_up():
            hours += rolled
        seconds = time.perf_counter() - started
        for _ in range(5):
            async with container.shared.engine().begin() as conn:
                await conn.execute(text(_MARK_THIS_HOUR))
            began = time.perf_counter()
            await roll_up()
            steady.append(time.perf_counter() - began)
    leave_embedded_redis()  # else this process, not serve, would be its last holder and outlive its data
    return seconds, hours, steady


async def report(duration: float, searches: int, days: int = 30) -> list[str]:
    with seeded_service(with_worker=False) as (base, env):
        written_seconds, _ = await synthesize(env, searches, days)
        rolled_seconds, hours, steady = await roll_up_everything(env)
        token = await admin_token(base, env, ADMIN, PASSWORD)
        headers = {"Authorization": f"Bearer {token}"}
        lines = [
            f"Report, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores: "
            f"`python -m benchmarks.search_analytics --part report --searches {searches}`. {searches:,} synthetic "
            f"searches over {days} days written with SQL in {written_seconds:.0f} s; the rollup of all {hours} hours "
            f"by `RollUpSearches` took {rolled_seconds:.1f} s "
            f"({searches / max(rolled_seconds, 1e-9):,.0f} searches/s); then a run with only the current hour "
            f"marked, as the worker's every minute under traffic (the hour and its day rolled up again, the "
            f"four windows rebuilt): median {statistics.median(steady):.1f} s of 5 "
            f"({', '.join(f'{run:.1f}' for run in steady)}). "
            f"One request at a time, {duration:g} s per row after the floor.",
            "",
            "| request | req/s | p50 ms | p99 ms | requests | errors | vs floor |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        worst = 0.0
        for window in ("1h", "24h", "7d", "30d"):
            for suffix in ("", "&platform=netflix"):
                path = f"/api/v1/admin/search/analytics?window={window}{suffix}"
                asked = Request("GET", path, headers=headers)
                floor = await run(base, "floor GET /health/live", lambda _: FLOOR, duration=duration / 2, concurrency=1)
                measured = await run(
                    base,
                    f"GET {path}",
                    lambda _, asked=asked: asked,
                    duration=duration,
                    concurrency=1,
                )
                worst = max(worst, measured.p99)
                ratio = f"{measured.rps / floor.rps:.2f}x" if floor.rps else ""
                lines.append(
                    f"| {measured.name} | {measured.rps:,.0f} | {measured.p50:.1f} | {measured.p99:.1f} | "
                    f"{measured.requests:,} | {measured.errors} | {ratio} |"
                )
        lines += [
            "",
            f"- Worst p99 {worst:.1f} ms; target ≤ {TARGET_REPORT_P99_MS:g} ms: "
            f"{'met' if worst <= TARGET_REPORT_P99_MS else 'NOT met'}.",
        ]
    return lines


def merged(previous: str, part: str, lines: list[str]) -> str:
    """The results file with ``part``'s section replaced by ``lines``."""
    sections: dict[str, str] = {}
    current = None
    for line in previous.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = ""
        elif current:
            sections[current] += line + "\n"
    sections[part] = "\n".join(lines) + "\n"
    body = "".join(f"## {name}\n\n{text.strip()}\n\n" for name, text in sorted(sections.items()))
    return "# Search analytics benchmarks\n\n" + body


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search_analytics")
    parser.add_argument("--part", choices=["capture", "report", "all"], default="all")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--searches", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="capture: alternating rounds per row")
    args = parser.parse_args()
    previous = RESULTS.read_text() if RESULTS.exists() else ""
    for part in ("capture", "report") if args.part == "all" else (args.part,):
        if part == "capture":
            lines = asyncio.run(capture(args.duration, args.concurrency, args.rounds))
        else:
            lines = asyncio.run(report(args.duration, args.searches))
        print("\n".join(lines))
        previous = merged(previous, part, lines)
        RESULTS.write_text(previous)


if __name__ == "__main__":
    main()
