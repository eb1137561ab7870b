"""Catalog search at scale:
``python -m benchmarks.search --titles N [--adapter postgres] [--duration S] [--data-dir DIR]``.

Loads a deterministic synthetic catalog of N titles (benchmarks/search/catalog.py) into a fresh
temporary MG_DATA_DIR (embedded PostgreSQL), or MG_DATABASE_URL if set, or ``--data-dir`` (kept,
and reused when it already holds N titles). Then, one query at a time:

- in process: the adapter behind the ContentSearch port (``--adapter``: a name, or
  ``package.module:Class`` taking the engine), over the query mix (benchmarks/search/queries.py),
  each query ``--runs`` times round-robin; p50/p99 per query class and overall; and one query
  run ten times on a fresh engine (runs 1–5 against 6–10: PostgreSQL's plan cache switches to a
  generic plan after five runs of a prepared statement);
- over HTTP (the adapters the service can be configured with, ``MG_SEARCH_ENGINE``),
  ``GET /api/v1/search`` for the same mix against a served process with search analytics off, one
  connection and 16, each right after the floor (``GET /health/live``); then 16 connections again
  on ``serve --processes N`` (``--processes``, default 2; 1 to skip), its floor measured the same way,
  and for Tantivy once more with its result cache on (off otherwise: the mix repeats);
- ``tantivy``: first the index is built by ``media-gateway reindex`` (its seconds and size on
  disk), and at the end, with the worker running, a title is renamed in PostgreSQL ten times and
  the time until ``GET /api/v1/search`` finds the new name is measured (commit to searchable).

Results go to benchmarks/results/search.json (the numbers, per adapter and size) and search.md
(one table per adapter, a column per size).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchmarks.load import Request, run
from benchmarks.search.adapters import content_search
from benchmarks.search.catalog import load, stored_titles
from benchmarks.search.queries import KINDS, MixQuery, query_mix
from benchmarks.server import CLI, serving
from entrypoints.catalog_search_config import ENGINES

RESULTS = Path(__file__).parents[1] / "results"
FLOOR = Request("GET", "/health/live")
TARGET_P99_MS, TARGET_RATIO = 50.0, 0.3


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


@contextlib.contextmanager
def data_dir(kept: str | None) -> Iterator[str]:
    if kept:
        Path(kept).mkdir(parents=True, exist_ok=True)
        yield kept
        return
    with tempfile.TemporaryDirectory(prefix="mg-bench-search-") as scratch:
        yield scratch


def _engine(url: str):  # type: ignore[no-untyped-def]
    from sqlalchemy.ext.asyncio import create_async_engine

    return create_async_engine(url.replace("postgresql://", "postgresql+asyncpg://", 1))


async def _timed(search: Any, query: MixQuery) -> float:
    from domain.catalog.search import SearchQuery

    asked = SearchQuery.create(query.text, genre=query.genre, page=query.page)
    started = time.perf_counter()
    await search.search(asked)
    return (time.perf_counter() - started) * 1000


async def in_process(
    url: str, adapter: str, directory: Path, mix: list[MixQuery], runs: int, budget: float
) -> dict[str, Any]:
    engine = _engine(url)
    try:
        search = content_search(adapter, engine, directory)
        for query in mix[:: max(1, len(mix) // 16)]:  # warm the pool and the caches
            await _timed(search, query)
        by_label: dict[str, list[float]] = {}
        deadline = time.perf_counter() + budget
        for _ in range(runs):
            for query in mix:
                if time.perf_counter() > deadline:
                    break
                by_label.setdefault(query.label, []).append(await _timed(search, query))
    finally:
        await engine.dispose()
    engine = _engine(url)
    try:
        fresh = content_search(adapter, engine, directory)
        probe = next(q for q in mix if q.kind == "two-word title" and q.genre)
        repeated = [await _timed(fresh, probe) for _ in range(10)]
    finally:
        await engine.dispose()
    everything = [ms for values in by_label.values() for ms in values]
    return {
        "classes": {label: [statistics.median(v), percentile(v, 99), len(v)] for label, v in by_label.items()},
        "overall": [statistics.median(everything), percentile(everything, 99), len(everything)],
        "repeated": {
            "query": probe.label,
            "first_five": statistics.median(repeated[:5]),
            "after": statistics.median(repeated[5:]),
        },
    }


async def over_http(
    env: dict[str, str], mix: list[MixQuery], duration: float, concurrency: int, processes: int
) -> dict[str, Any]:
    """Keyed by connections (``"16"``), ``"16x2"`` for 16 connections to two serving processes, and
    ``"16x2 cached"`` for those with Tantivy's result cache on (as served by default). Otherwise the
    cache is off: the mix repeats, so every answer after the first round would come from it."""
    requests = [Request("GET", f"/api/v1/search?{urlencode(q.params())}") for q in mix]
    measured: dict[str, Any] = {}
    uncached = {"MG_SEARCH_CACHE_PAGES": "0"}
    layouts: list[tuple[str, int, dict[str, str], list[int]]] = [("", 1, uncached, [1, concurrency])]
    if processes > 1:
        layouts.append((f"x{processes}", processes, uncached, [concurrency]))
        if env["MG_SEARCH_ENGINE"] == "tantivy":
            layouts.append((f"x{processes} cached", processes, {}, [concurrency]))
    for suffix, serving_processes, extra, widths in layouts:
        served_env = {**env, "MG_SEARCH_ANALYTICS": "off", **extra}
        with serving(served_env, with_worker=False, processes=serving_processes) as base:
            await _expect_engine(base, env["MG_SEARCH_ENGINE"])
            for width in widths:
                measured[f"{width}{suffix}"] = await _against_floor(base, requests, duration, width)
    return measured


async def _against_floor(base: str, requests: list[Request], duration: float, width: int) -> dict[str, Any]:
    floor = await run(base, "floor", lambda _: FLOOR, duration=duration / 2, concurrency=width)
    result = await run(base, "search", lambda n: requests[n % len(requests)], duration=duration, concurrency=width)
    return {
        "rps": result.rps,
        "p50": result.p50,
        "p99": result.p99,
        "requests": result.requests,
        "errors": result.errors,
        "floor_rps": floor.rps,
        "ratio": result.rps / floor.rps if floor.rps else 0.0,
    }


async def _expect_engine(base: str, engine: str) -> None:
    """Refuse to measure a Tantivy service that searches PostgreSQL (its index not built or unreadable)."""
    import aiohttp

    async with aiohttp.ClientSession(base) as session, session.get("/health/aggregate") as response:
        body = await response.text()
    if engine == "tantivy" and "no search index" in body:
        raise SystemExit(f"the service has no search index to search with: {body}")


def build_index(env: dict[str, str], directory: Path) -> dict[str, float]:
    started = time.perf_counter()
    subprocess.run([*CLI, "reindex"], env={**env, "MG_SEARCH_ENGINE": "tantivy"}, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    from adapters.catalog.tantivy_index_directory import TantivyIndexDirectory

    generation = TantivyIndexDirectory(directory / "search-index").current()
    assert generation is not None, "reindex published no index"
    size = sum(f.stat().st_size for f in generation.rglob("*") if f.is_file())
    return {"seconds": seconds, "megabytes": size / 1e6}


async def change_to_searchable(env: dict[str, str], url: str, changes: int = 10) -> list[float]:
    """Milliseconds from a title's rename committing in PostgreSQL to search finding it, worker running."""
    import aiohttp
    import asyncpg

    timings: list[float] = []
    with serving({**env, "MG_SEARCH_ANALYTICS": "off"}, with_worker=True) as base:
        await _expect_engine(base, env["MG_SEARCH_ENGINE"])
        conn = await asyncpg.connect(url)
        try:
            ids = await conn.fetch("SELECT id FROM content WHERE kind = 'movie' ORDER BY id LIMIT $1", changes + 1)
            async with aiohttp.ClientSession(base) as session:
                for number, row in enumerate(ids):  # the first one only waits for the worker to be up
                    word = f"mgrenamed{number}x{os.getpid()}"
                    await conn.execute("UPDATE content SET title = title || ' ' || $1 WHERE id = $2", word, row["id"])
                    committed = time.perf_counter()
                    while time.perf_counter() - committed < 30:
                        async with session.get("/api/v1/search", params={"q": word}) as response:
                            if (await response.json()).get("total"):
                                break
                        await asyncio.sleep(0.005)
                    else:
                        raise SystemExit(f"a renamed title was not searchable after 30 s ({word})")
                    if number:
                        timings.append((time.perf_counter() - committed) * 1000)
                    await asyncio.sleep(0.3)  # the next change in a later sync round
        finally:
            await conn.close()
    return timings


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.playback import database_url

    with data_dir(args.data_dir) as directory:
        env = {**os.environ, "MG_DATA_DIR": directory, "MG_LOG_LEVEL": "WARNING"}
        await asyncio.to_thread(subprocess.run, [*CLI, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        url = database_url(env).replace("postgresql+asyncpg://", "postgresql://", 1)
        loaded = None
        if await stored_titles(url) != args.titles:
            loaded = await load(url, args.titles)
            print(f"loaded {args.titles:,} titles in {loaded:.0f} s", flush=True)
        built = None
        if args.adapter == "tantivy":
            built = await asyncio.to_thread(build_index, env, Path(directory))
            print(f"index built in {built['seconds']:.1f} s, {built['megabytes']:.0f} MB", flush=True)
        mix = query_mix(args.titles)
        found = await in_process(url, args.adapter, Path(directory), mix, args.runs, args.budget)
        print(json.dumps(found["overall"]), json.dumps(found["repeated"]), flush=True)
        if args.adapter in ENGINES:
            env["MG_SEARCH_ENGINE"] = args.adapter
            if not args.skip_http:
                found["http"] = await over_http(env, mix, args.duration, args.concurrency, args.processes)
                print(json.dumps(found["http"]), flush=True)
            if args.adapter == "tantivy":
                found["change_ms"] = await change_to_searchable(env, url)
                print("change to searchable (ms):", [round(ms) for ms in found["change_ms"]], flush=True)
    found["load_seconds"] = loaded
    found["index"] = built
    found["when"] = (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    found["command"] = (
        f"python -m benchmarks.search --titles {args.titles} --adapter {args.adapter} --duration {args.duration:g}"
    )
    return found


def _size(titles: int) -> str:
    return f"{titles // 1_000_000}M" if titles % 1_000_000 == 0 else f"{titles / 1000:g}k"


def _ms(pair: list[float] | None) -> str:
    return f"{pair[0]:.1f} / {pair[1]:.1f}" if pair else ""


def _index(built: dict[str, float] | None) -> str:
    return f"{built['seconds']:.0f} / {built['megabytes']:.0f}" if built else ""


def _http(width: str, cell: Callable[[dict[str, Any]], str]) -> Callable[[dict[str, Any]], str]:
    return lambda r: cell(r["http"][width]) if width in r.get("http", {}) else ""


_ROWS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("in process, overall", lambda r: _ms(r["overall"])),
    *(
        (f"in process, {label}", lambda r, label=label: _ms(r["classes"].get(label)))
        for label in (f"{k}{g}, page {p}" for k in KINDS for g in ("", " + genre") for p in (1, 10))
    ),
    (
        "same query ×10, fresh engine: runs 1–5 / 6–10 (median)",
        lambda r: f"{r['repeated']['first_five']:.1f} / {r['repeated']['after']:.1f}",
    ),
    *(
        row
        for width, name in (
            ("1", "1 conn."),
            ("16", "16 conn."),
            ("16x2", "16 conn., 2 processes"),
            ("16x2 cached", "16 conn., 2 processes, result cache on (every answer from it)"),
        )
        for row in (
            (f"HTTP, {name}", _http(width, lambda h: _ms([h["p50"], h["p99"]]))),
            (f"HTTP, {name}: req/s (× floor)", _http(width, lambda h: f"{h['rps']:,.0f} ({h['ratio']:.2f}×)")),
        )
    ),
    ("catalog load (s)", lambda r: "" if r.get("load_seconds") is None else f"{r['load_seconds']:.0f}"),
    ("index build (s) / size (MB)", lambda r: _index(r.get("index"))),
    (
        "rename committed → searchable, worker running (ms, median / max of 10)",
        lambda r: f"{statistics.median(r['change_ms']):.0f} / {max(r['change_ms']):.0f}" if r.get("change_ms") else "",
    ),
]


def render(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        "# Catalog search at scale",
        "",
        "`python -m benchmarks.search --titles N --adapter A --duration S` (see benchmarks/search/__main__.py).",
        "Synthetic catalogs from the demo vocabulary (39% films, 3% series, 58% episodes, 1–3 offers each).",
        "Milliseconds as p50 / p99; in process is the adapter alone, one query at a time; HTTP is",
        f"`GET /api/v1/search` end to end, analytics off. Targets at 1M: p99 ≤ {TARGET_P99_MS:g} ms one at a",
        f"time over HTTP; throughput at 16 connections ≥ {TARGET_RATIO}× the floor (`GET /health/live`);",
        "index build ≤ 2 minutes; a change searchable ≤ 1 s after the worker applies it.",
        "",
    ]
    for adapter, by_size in sorted(results.items()):
        sizes = sorted(by_size, key=int)
        lines += [f"## {adapter}", "", "| | " + " | ".join(_size(int(s)) for s in sizes) + " |"]
        lines.append("| --- |" + " ---: |" * len(sizes))
        lines += [f"| {name} | " + " | ".join(cell(by_size[s]) for s in sizes) + " |" for name, cell in _ROWS]
        lines += ["", *(f"- {_size(int(s))}: {by_size[s]['when']}: `{by_size[s]['command']}`" for s in sizes), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search")
    parser.add_argument("--titles", type=int, default=3_000)
    parser.add_argument("--adapter", default="postgres")
    parser.add_argument("--label", help="the results' name for this adapter (default: --adapter)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per HTTP row")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3, help="in-process runs of each query")
    parser.add_argument("--budget", type=float, default=600.0, help="in-process seconds at most")
    parser.add_argument("--data-dir", help="keep the data here and reuse it (never inside the repository)")
    parser.add_argument("--processes", type=int, default=2, help="serving processes for a second 16-connection run")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    found = asyncio.run(measure(args))
    stored = RESULTS / "search.json"
    results = json.loads(stored.read_text()) if stored.exists() else {}
    results.setdefault(args.label or args.adapter, {})[str(args.titles)] = found
    stored.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    (RESULTS / "search.md").write_text(render(results))
    print(render(results))


if __name__ == "__main__":
    main()
