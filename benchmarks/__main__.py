"""Benchmarks: `python -m benchmarks [--suite SUITE] [--duration S] [--concurrency N]`,
SUITE one of identity, registration, playback, session, observability, health, resilience, webhooks,
ingestion or all
(resilience and ingestion are not part of all: they run on servers and processes of their own).

Starts a seeded service on fresh embedded servers (or MG_DATABASE_URL / MG_REDIS_URL), measures
each endpoint right after the floor endpoint (GET /health/live, a bare JSON response) in the same
run, and prints a Markdown table. The load generator shares the machine with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import statistics
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.health import health_latency
from benchmarks.identity_and_search import (
    api_key_overhead,
    identity_suite,
    session_check,
    session_check_in_process,
    totp_challenge_throughput,
)
from benchmarks.ingestion import ingestion_suite
from benchmarks.load import Result
from benchmarks.observability import observability_overhead
from benchmarks.playback import playback_suite, sync_latency
from benchmarks.registration import registration_timing
from benchmarks.resilience import breaker_overhead
from benchmarks.server import seeded_service
from benchmarks.webhooks import EXTRA_ENV as WEBHOOKS_ENV
from benchmarks.webhooks import webhooks_suite

RESULTS = Path(__file__).with_name("results")


@contextlib.contextmanager
def _nothing() -> Iterator[tuple[str, dict[str, str]]]:
    yield "", {}


def row(result: Result, floor: Result | None) -> str:
    ratio = f"{result.rps / floor.rps:.2f}× floor" if floor and floor.rps else ""
    return (
        f"| {result.name} | {result.rps:,.0f} | {result.p50:.2f} | {result.p99:.2f} | "
        f"{result.requests:,} | {result.errors} | {ratio} |"
    )


async def main_async(args: argparse.Namespace) -> str:
    lines = [
        f"Media Gateway benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, `{' '.join(['python -m benchmarks', *sys.argv[1:]])}`",
        "",
        "| endpoint | req/s | p50 ms | p99 ms | requests | errors | vs floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    notes: list[str] = []
    # Every benchmark request comes from 127.0.0.1.
    extra = {
        "MG_MFA_ATTEMPTS_PER_IP": "1000000",
        "MG_MFA_ATTEMPTS_PER_IP_ALL_ACCOUNTS": "1000000",
        "MG_REGISTRATIONS_PER_IP": "1000000",
        "MG_REGISTRATIONS_PER_MINUTE": "1000000",
        **WEBHOOKS_ENV,
    }
    own_services = (
        "observability",
        "health",
        "resilience",
        "ingestion",
        "webhooks",
    )  # suites that start services of their own
    with seeded_service(extra) if args.suite not in own_services else _nothing() as (base, env):
        if args.suite in ("identity", "all"):
            for floor, measured in await identity_suite(base, args.duration, args.concurrency):
                lines += [row(floor, None), row(measured, floor)]
            floor, jwt, key, search = await api_key_overhead(base, args.duration)
            lines += [row(floor, None), row(jwt, floor), row(key, floor), row(search, floor)]
            added = f"API key vs JWT: p50 {key.p50 - jwt.p50:+.2f} ms, p99 {key.p99 - jwt.p99:+.2f} ms"
            notes.append(added)
            lines.append(row(await totp_challenge_throughput(base), None))
        if args.suite in ("session", "all"):
            pairs = await session_check(base, args.duration, args.concurrency)
            for floor, measured in pairs:
                lines += [row(floor, None), row(measured, floor)]
            for label, chosen in [("concurrent", pairs[: len(pairs) // 2]), ("1 at a time", pairs[len(pairs) // 2 :])]:
                ratios = statistics.median(m.rps / f.rps for f, m in chosen if f.rps)
                p50 = statistics.median(m.p50 for _, m in chosen)
                notes.append(f"GET /api/v1/me with JWT, {label}: median {ratios:.3f}× floor, median p50 {p50:.2f} ms")
            redis_url = env.get("MG_REDIS_URL") or f"unix://{env['MG_DATA_DIR']}/redis/redis.sock"
            in_process = await session_check_in_process(Path(env["MG_DATA_DIR"]), redis_url)
            for floor, measured in in_process:
                lines += [row(floor, None), row(measured, floor)]
            half = len(in_process) // 2
            for label, chosen in [("1 at a time", in_process[:half]), ("16 at once", in_process[half:])]:
                ratio = statistics.median(m.rps / f.rps for f, m in chosen)
                added = statistics.median(m.p50 - f.p50 for f, m in chosen) * 1000
                notes.append(
                    f"Authenticate with the session check, {label}: median {ratio:.3f}× without it, p50 {added:+.0f} µs"
                )
        if args.suite in ("identity", "registration", "all"):
            new, taken = await registration_timing(base)
            lines += [row(new, None), row(taken, None)]
            notes.append(
                f"Registration, taken vs new email: p50 {taken.p50:.2f} vs {new.p50:.2f} ms "
                f"({taken.p50 / new.p50:.2f}x; {new.requests} of each, interleaved)"
            )
        if args.suite in ("playback", "all"):
            for floor, measured in await playback_suite(base, env, args.duration, args.concurrency):
                lines += [row(floor, None), row(measured, floor)]
            lines.append(row(await sync_latency(base), None))
    if args.suite in ("webhooks", "all"):
        # A service of its own with no worker: the worker applying each accepted delivery to the
        # catalog (PostgreSQL) took as much CPU as accepting it, on the same two cores, during the
        # accept rows and while it caught up in the next floor rows. The accept path is measured.
        with seeded_service(extra, with_worker=False) as (base, env):
            pairs, observed = await webhooks_suite(base, env, args.duration, args.concurrency)
        for floor, measured in pairs:
            lines += [row(floor, None), row(measured, floor)]
        notes += observed
    if args.suite in ("observability", "all"):  # three services of its own, side by side
        pairs, observed = await observability_overhead(args.duration, args.concurrency)
        for floor, measured in pairs:
            lines += [row(floor, None), row(measured, floor)]
        notes += observed
    if args.suite in ("health", "all"):  # three services of its own and a loopback Qdrant
        measured_rows, observed = await health_latency(args.duration, args.concurrency)
        lines += [row(measured, floor) for measured, floor in measured_rows]
        notes += observed
    if args.suite == "resilience":  # in-process, on servers of its own: not part of "all"
        table, observed = await breaker_overhead()
        lines = [lines[0], "", *table]
        notes += observed
    if args.suite == "ingestion":  # worker processes on servers of its own: not part of "all"
        table, observed = await ingestion_suite(args.changes)
        lines = [lines[0], "", *table]
        notes += observed
    lines += [
        "",
        *notes,
        "",
        "Login runs at most 8 concurrent requests (Argon2id is CPU-bound by design). The TOTP row is",
        "successful sign-ins, one per user (a code is accepted once). Playback rows run against",
        "10,000 users x 50 in-progress titles (500,000 rows). The load generator shares the cores.",
        "Rows marked (1 at a time) are single-connection latencies: service time without queueing.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    suites = [
        "identity",
        "registration",
        "playback",
        "session",
        "observability",
        "health",
        "resilience",
        "webhooks",
        "ingestion",
        "all",
    ]
    parser.add_argument("--suite", choices=suites, default="all")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement (default 5)")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--changes", type=int, default=20_000, help="ingestion: changes per fill (default 20,000)")
    args = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    table = asyncio.run(main_async(args))
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"latest-{args.suite}.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
