"""Issue 10 figures: what tracing and metrics cost, on `GET /api/v1/me` and
`POST /api/v1/playback/progress`.

Three services run side by side on their own embedded servers: tracing off (`OTEL_SDK_DISABLED`),
tracing every request to an OTLP/HTTP receiver on loopback (a separate process that decodes each
export), and 10% sampling to the same receiver. Each measurement comes right after its own
service's floor (`GET /health/live`, never traced), and the configurations alternate within each
round, so drift on a shared machine hits them alike. The figure is the median over rounds of
(endpoint / floor) relative to the untraced service's. `/metrics`: the untraced service's `/me`
with a scraper reading `/metrics` every second (15 times Prometheus' default) against without."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp

from benchmarks.identity_and_search import FLOOR, accounts, token_for
from benchmarks.load import Request, Result, run
from benchmarks.playback import content_ids
from benchmarks.server import seeded_service

CONFIGURATIONS = {
    "tracing off": {"OTEL_SDK_DISABLED": "true"},
    "tracing 100%": {"OTEL_TRACES_SAMPLER": "parentbased_always_on"},
    "tracing 10%": {"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.1"},
}
ROUNDS = 5  # the median of five rounds: on a shared machine three were not enough to tell 5% apart


@contextlib.contextmanager
def otlp_sink() -> Iterator[tuple[str, list[str]]]:
    """The tests' OTLP receiver in its own process (so decoding does not share the load
    generator's interpreter); yields its endpoint and, after it stops, what it received."""
    process = subprocess.Popen([sys.executable, "-m", "tests.support.otlp_receiver"], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    endpoint = process.stdout.readline().strip()
    summary: list[str] = []
    try:
        yield endpoint, summary
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=30)
        summary.append(out.strip())


class Service:
    def __init__(self, name: str, base: str) -> None:
        self.name = name
        self.base = base
        self.token = ""
        self.titles: list[str] = []
        self._sequences = itertools.count(1)

    async def prepare(self) -> None:
        ((email, password),) = await accounts(self.base, 1, prefix="otel")
        self.token = await token_for(self.base, email, password)
        self.titles = (await content_ids(self.base))[:50]

    def me(self, _: int) -> Request:
        return Request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {self.token}"})

    def progress(self, n: int) -> Request:
        sequence = next(self._sequences)
        body = {
            "content_id": self.titles[n % len(self.titles)],
            "position_seconds": 30 + sequence % 1200,
            "device_id": "bench-tv",
            "session_id": "bench-otel",
            "sequence": sequence,
        }
        return Request(
            "POST", "/api/v1/playback/progress", json=body, headers={"Authorization": f"Bearer {self.token}"}
        )


async def _scraping(base: str, stop: asyncio.Event) -> int:
    scrapes = 0
    async with aiohttp.ClientSession(base) as session:
        while not stop.is_set():
            async with session.get("/metrics") as response:
                await response.read()
                scrapes += response.status == 200
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)
    return scrapes


async def _with_scraper(base: str, measure: Callable[[], Any]) -> Any:
    stop = asyncio.Event()
    scraper = asyncio.create_task(_scraping(base, stop))
    try:
        return await measure()
    finally:
        stop.set()
        await scraper


async def _beside_floor(
    service: Service, label: str, make: Callable[[int], Request], duration: float, concurrency: int
) -> tuple[Result, Result]:
    floor = await run(
        service.base, f"floor ({service.name})", lambda _: FLOOR, duration=duration, concurrency=concurrency
    )
    return floor, await run(service.base, label, make, duration=duration, concurrency=concurrency)


async def observability_overhead(duration: float, concurrency: int) -> tuple[list[tuple[Result, Result]], list[str]]:
    pairs: list[tuple[Result, Result]] = []
    ratios: dict[tuple[str, str], list[float]] = {}
    with contextlib.ExitStack() as stack:
        endpoint, received = stack.enter_context(otlp_sink())
        services = []
        for name, env in CONFIGURATIONS.items():
            exported = {} if "OTEL_SDK_DISABLED" in env else {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint}
            base, _ = stack.enter_context(seeded_service({**env, **exported}))
            services.append(Service(name, base))
        for service in services:
            await service.prepare()
        untraced = services[0]
        for round_number in range(ROUNDS):
            for endpoint_name, make in [
                ("GET /api/v1/me", Service.me),
                ("POST /api/v1/playback/progress", Service.progress),
            ]:
                for service in services:
                    label = f"{endpoint_name} ({service.name})"
                    floor, measured = await _beside_floor(
                        service, label, lambda n, s=service, m=make: m(s, n), duration, concurrency
                    )
                    pairs.append((floor, measured))
                    ratios.setdefault((endpoint_name, service.name), []).append(measured.rps / floor.rps)
            # /metrics: the untraced service's /me with and without a scraper, back to back, the
            # order alternating between rounds.
            for scraped in (False, True) if round_number % 2 == 0 else (True, False):
                label = "GET /api/v1/me, /metrics scraped every 1 s" if scraped else "GET /api/v1/me, not scraped"
                measuring = _beside_floor(untraced, label, untraced.me, duration, concurrency)
                floor, measured = await (_with_scraper(untraced.base, lambda m=measuring: m) if scraped else measuring)
                pairs.append((floor, measured))
                ratios.setdefault(("/metrics", str(scraped)), []).append(measured.rps / floor.rps)
    notes = []
    for endpoint_name in ("GET /api/v1/me", "POST /api/v1/playback/progress"):
        base_ratio = statistics.median(ratios[(endpoint_name, "tracing off")])
        for name in CONFIGURATIONS:
            ratio = statistics.median(ratios[(endpoint_name, name)])
            notes.append(f"{endpoint_name}, {name}: median {ratio:.3f}× floor = {ratio / base_ratio:.3f}× untraced")
    scraped_ratio = statistics.median(ratios[("/metrics", "True")]) / statistics.median(ratios[("/metrics", "False")])
    notes.append(f"GET /api/v1/me with /metrics scraped every second: {scraped_ratio:.3f}× without")
    notes.append(f"OTLP receiver: {received[0] if received else 'no summary'}")
    return pairs, notes
