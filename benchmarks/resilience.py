"""Issue 11 figures: what a circuit breaker adds to an outbound call, in the process that makes it.

A loopback upstream in a process of its own (``benchmarks/loopback_upstream.py``, HTTP/1.1 keep-alive)
and a fresh embedded Redis; the service's own pieces: ``PurgatoryCircuitBreaker`` over
``RedisOrLocalBreakerStates`` over ``RedisBreakerStates``, and ``HttpxDependencyClient``. Measured one
call at a time (service time, no queueing), in alternating rounds so drift hits every kind alike:

- the bare call (httpx GET to the upstream) and the same call through a closed, Redis-shared breaker
  (what the caller waits for: its success is settled in Redis behind its back, within the round);
- the breaker around an operation that does nothing, waiting for its outcome to be settled: its
  whole cost per call (admission from the process's recent view, one Lua call to settle);
- an open breaker's refusal (``CircuitOpen`` raised and caught), forced open in Redis.
"""

from __future__ import annotations

import contextlib
import gc
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
from redis.asyncio import Redis

from adapters.embedded.embedded_redis import start_embedded_redis
from adapters.operations.purgatory_circuit_breaker import PurgatoryCircuitBreaker
from adapters.operations.redis_breaker_states import RedisBreakerStates
from adapters.operations.redis_or_local_breaker_states import RedisOrLocalBreakerStates
from adapters.shared.httpx_dependency_client import HttpxDependencyClient
from adapters.shared.system import SystemClock
from domain.operations.breakers import BreakerMode, BreakerPolicies, BreakerPolicy
from domain.shared.errors import CircuitOpen

ROUNDS = 10
PER_ROUND = 2_000
REJECTIONS_PER_ROUND = 5_000
SERVE_GC_THRESHOLDS = (10_000, 20, 20)


@contextlib.contextmanager
def upstream_process() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.loopback_upstream"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdin is not None
    try:
        yield process.stdout.readline().strip()
    finally:
        process.stdin.close()
        process.wait(10)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def timed(count: int, call: Callable[[], Awaitable[object]], into: list[float]) -> None:
    for _ in range(count):
        started = time.perf_counter_ns()
        await call()
        into.append((time.perf_counter_ns() - started) / 1e6)


def row(name: str, latencies: list[float]) -> str:
    return (
        f"| {name} | {len(latencies):,} | {statistics.median(latencies):.3f} | {percentile(latencies, 99):.3f} | "
        f"{percentile(latencies, 99.9):.3f} |"
    )


async def breaker_overhead() -> tuple[list[str], list[str]]:
    data_dir = Path(tempfile.mkdtemp(prefix="mg-bench-breakers-"))
    redis = Redis.from_url(start_embedded_redis(data_dir))
    states = RedisOrLocalBreakerStates(RedisBreakerStates(redis))
    closed, opened = BreakerPolicy("bench-upstream"), BreakerPolicy("bench-open")
    breakers = PurgatoryCircuitBreaker(BreakerPolicies([closed, opened]), states, SystemClock())
    await states.force(opened, BreakerMode.FORCED_OPEN, datetime.now(UTC))
    kinds: dict[str, list[float]] = {"bare": [], "wrapped": [], "no-op": [], "refused": [], "inside": []}

    async def nothing() -> None:
        return None

    async def refused() -> None:
        with contextlib.suppress(CircuitOpen):
            await breakers.call("bench-open", nothing)

    with upstream_process() as url:
        async with httpx.AsyncClient(base_url=url) as http:
            client = HttpxDependencyClient(http, breakers, "bench-upstream")

            async def bare() -> None:
                (await http.get("/item")).raise_for_status()

            async def wrapped() -> None:
                await client.request("GET", "/item")

            async def wrapped_and_inside() -> None:
                """The wrapped call, and what of it the breaker added: its time minus the operation's."""
                inside: list[float] = []

                async def timed_get() -> httpx.Response:
                    started = time.perf_counter_ns()
                    try:
                        return (await http.get("/item")).raise_for_status()
                    finally:
                        inside.append((time.perf_counter_ns() - started) / 1e6)

                started = time.perf_counter_ns()
                await breakers.call("bench-upstream", timed_get)
                kinds["wrapped"].append((time.perf_counter_ns() - started) / 1e6)
                kinds["inside"].append(kinds["wrapped"][-1] - inside[0])

            async def through() -> None:
                await breakers.call("bench-upstream", nothing)
                await breakers.settled()  # its outcome in Redis too: the whole cost, one call at a time

            for call in (bare, wrapped, through, refused):  # warm up: connections, the script, caches
                await timed(200, call, [])
            gc.freeze()  # as `serve` does after start-up (entrypoints/cli/serve.py), with its thresholds
            gc.set_threshold(*SERVE_GC_THRESHOLDS)
            for _ in range(ROUNDS):
                await timed(PER_ROUND, bare, kinds["bare"])
                for _ in range(PER_ROUND):
                    await wrapped_and_inside()
                await breakers.settled()
                await timed(PER_ROUND, through, kinds["no-op"])
                await timed(REJECTIONS_PER_ROUND, refused, kinds["refused"])
    await breakers.settled()
    view = await states.view(closed, datetime.now(UTC))
    await redis.aclose()
    lines = [
        "| call (1 at a time) | calls | p50 ms | p99 ms | p99.9 ms |",
        "| --- | ---: | ---: | ---: | ---: |",
        row("GET upstream, bare httpx", kinds["bare"]),
        row("GET upstream through its breaker (closed, Redis-shared)", kinds["wrapped"]),
        row("what the breaker added to each of those calls (its time minus the GET's)", kinds["inside"]),
        row("breaker around a no-op, outcome settled in Redis (its whole cost)", kinds["no-op"]),
        row("open breaker's refusal (CircuitOpen raised and caught)", kinds["refused"]),
    ]
    p99_added = percentile(kinds["wrapped"], 99) - percentile(kinds["bare"], 99)  # two noisy p99s
    p50_added = statistics.median(kinds["wrapped"]) - statistics.median(kinds["bare"])
    added = kinds["inside"]
    notes = [
        f"Breaker overhead per call (closed, Redis-shared): p50 {statistics.median(added) * 1000:.0f} µs, "
        f"p99 {percentile(added, 99) * 1000:.0f} µs (target p99 ≤ 500 µs). Difference of the two GET rows: "
        f"p50 {p50_added * 1000:+.0f} µs, p99 {p99_added * 1000:+.0f} µs (the upstream's own jitter dominates "
        f"it); its whole cost, settled (no-op operation): p50 "
        f"{statistics.median(kinds['no-op']) * 1000:.0f} µs, p99 {percentile(kinds['no-op'], 99) * 1000:.0f} µs.",
        f"Open breaker's refusal: p99 {percentile(kinds['refused'], 99) * 1000:.0f} µs (target ≤ 200 µs).",
        f"After the run the breaker was {view.state.value}, {'shared in Redis' if view.shared else 'NOT shared'}, "
        f"{view.calls} calls in its window.",
    ]
    return lines, notes
