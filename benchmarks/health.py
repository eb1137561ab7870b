"""Issue 11 figures: how long `GET /health/aggregate` takes, above all with one dependency
hanging (the target: p99 within the deadline, 1 s, + 50 ms).

A loopback stand-in for Qdrant (`tests/support/loopback_qdrant.py`) is the dependency: it
answers `GET /readyz`, or accepts the connection and never answers. Three services run on
their own embedded servers (each with its worker, so every check can pass):
- the defaults (5 s cache, 800 ms per check, 1 s deadline), Qdrant answering then hanging;
- no cache (`MG_HEALTH_CACHE_SECONDS=0`), so every request waits for a round of its own
  (shared with whoever arrives meanwhile), Qdrant hanging: its check's 800 ms timeout ends it;
- no cache and a check timeout above the deadline (`MG_HEALTH_CHECK_TIMEOUT_MS=5000`, capped at
  the deadline), Qdrant hanging: the 1 s deadline ends every round.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from benchmarks.identity_and_search import FLOOR
from benchmarks.load import Request, Result, run
from benchmarks.server import seeded_service
from tests.support.loopback_qdrant import LoopbackQdrant

AGGREGATE = Request("GET", "/health/aggregate")
DEADLINE_MS = 1000
MARGIN_MS = 50
SERVICES = {
    "defaults": {},
    "no cache": {"MG_HEALTH_CACHE_SECONDS": "0"},
    "no cache, check timeout past the deadline": {"MG_HEALTH_CACHE_SECONDS": "0", "MG_HEALTH_CHECK_TIMEOUT_MS": "5000"},
}


@contextlib.contextmanager
def _services(qdrant_url: str) -> Iterator[dict[str, str]]:
    with contextlib.ExitStack() as stack:
        yield {
            name: stack.enter_context(seeded_service({"MG_QDRANT_URL": qdrant_url, **env}))[0]
            for name, env in SERVICES.items()
        }


async def _aggregate(base: str, name: str, duration: float, concurrency: int) -> Result:
    # 200 is pass or warn: a hanging Qdrant is a warn.
    return await run(base, name, lambda _: AGGREGATE, duration=duration, concurrency=concurrency, ok=(200,))


async def health_latency(duration: float, concurrency: int) -> tuple[list[tuple[Result, Result | None]], list[str]]:
    rows: list[tuple[Result, Result | None]] = []
    notes: list[str] = []
    with LoopbackQdrant().running() as qdrant, _services(qdrant.url) as bases:
        defaults = bases["defaults"]
        floor = await run(
            defaults, "floor GET /health/live", lambda _: FLOOR, duration=duration, concurrency=concurrency
        )
        answering = await _aggregate(
            defaults, "GET /health/aggregate, all answering (5 s cache)", duration, concurrency
        )
        one = await _aggregate(defaults, "GET /health/aggregate, all answering (5 s cache) (1 at a time)", duration, 1)
        rows += [(floor, None), (answering, floor), (one, None)]
        qdrant.hang()
        for name, label in [
            ("defaults", "Qdrant hanging (5 s cache)"),
            ("no cache", "Qdrant hanging, no cache"),
            ("no cache, check timeout past the deadline", "Qdrant hanging, no cache, check timeout > deadline"),
        ]:
            measured = await _aggregate(bases[name], f"GET /health/aggregate, {label}", duration, concurrency)
            rows.append((measured, None))
            verdict = "met" if measured.p99 <= DEADLINE_MS + MARGIN_MS else "NOT met"
            notes.append(
                f"{label}: p99 {measured.p99:.1f} ms, max {max(measured.latencies_ms):.1f} ms against the "
                f"{DEADLINE_MS} ms deadline + {MARGIN_MS} ms: {verdict}"
            )
        notes.append(f"Qdrant received {qdrant.requests} GET /readyz in all (one per round of checks)")
    return rows, notes
