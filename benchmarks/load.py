"""A closed-loop HTTP load generator: N workers, each sending its next request when the last one
answers, for a fixed time (and never more than a fixed count)."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from attrs import frozen

MAX_REQUESTS = 1_000_000


@frozen
class Request:
    method: str
    path: str
    json: Any = None
    headers: dict[str, str] | None = None


@frozen
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p99(self) -> float:
        return self.percentile(99)


async def run(
    base: str,
    name: str,
    make_request: Callable[[int], Request],
    *,
    duration: float,
    concurrency: int,
    warmup: float = 1.0,
    ok: tuple[int, ...] = (200, 201, 204),
) -> Result:
    latencies: list[float] = []
    errors = 0
    count = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(base, connector=connector) as session:

        async def worker(deadline: float, record: bool) -> None:
            nonlocal errors, count
            while time.perf_counter() < deadline and count < MAX_REQUESTS:
                request = make_request(count)
                count += 1
                # Encoded before the clock starts: the server's time is what is measured.
                body, headers = None, request.headers
                if request.json is not None:
                    body = json.dumps(request.json).encode()
                    headers = {**(headers or {}), "Content-Type": "application/json"}
                started = time.perf_counter()
                async with session.request(request.method, request.path, data=body, headers=headers) as response:
                    await response.read()
                    status = response.status
                if record:
                    latencies.append((time.perf_counter() - started) * 1000)
                    if status not in ok:
                        errors += 1

        await asyncio.gather(*(worker(time.perf_counter() + warmup, False) for _ in range(concurrency)))
        count = 0
        started = time.perf_counter()
        await asyncio.gather(*(worker(started + duration, True) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Result(name=name, requests=len(latencies), errors=errors, seconds=elapsed, latencies_ms=latencies)
