"""``AggregateHealth``: every check at once, each under its own timeout and all under one
deadline, damped, and remembered for a while so that many callers cost one round."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import timedelta

from application.operations.health_ports import HealthCheck, HealthCheckSource
from application.shared.ports import Clock
from domain.operations.health import HealthAnswer, HealthReport, Reading, judged, no_answer
from domain.operations.health_damping import StatusDamper

MAX_OUTPUT = 300


class AggregateHealth:
    """The health report, at most ``cache_for`` old.

    A round runs every check concurrently. A check that has not answered within its timeout
    (capped at the deadline) reads as down, and so does one still running at the deadline: the
    round ends then whatever the checks do, and a check that ignored being cancelled is not
    started again until it has returned. Callers arriving while a round runs wait for that round
    (single flight); a round's readings are damped before anyone sees them."""

    def __init__(
        self,
        sources: Sequence[HealthCheckSource],
        clock: Clock,
        *,
        deadline_seconds: float = 1.0,
        check_timeout_seconds: float = 0.8,
        cache_for: timedelta = timedelta(seconds=5),
        damper: StatusDamper | None = None,
    ) -> None:
        self._sources = tuple(sources)
        self._clock = clock
        self._deadline = deadline_seconds
        self._check_timeout = min(check_timeout_seconds, deadline_seconds)
        self._cache_for = cache_for
        self._damper = damper or StatusDamper()
        self._latest: HealthReport | None = None
        self._round: asyncio.Future[HealthReport] | None = None
        self._unfinished: dict[str, asyncio.Task[tuple[Reading, ...]]] = {}
        self.rounds = 0  # how many rounds ran (for operators and tests)

    async def __call__(self) -> HealthAnswer:
        latest = self._latest
        if latest is not None and self._clock.now() - latest.observed_at < self._cache_for:
            return HealthAnswer(latest, self._clock.now())
        if self._round is None:
            self._round = asyncio.ensure_future(self._remembered_round())
        # Shielded: a caller that gives up (a client disconnecting) does not cancel everyone's round.
        report = await asyncio.shield(self._round)
        return HealthAnswer(report, self._clock.now())

    async def _remembered_round(self) -> HealthReport:
        try:
            report = await self._run_round()
            self._latest = report
            return report
        finally:
            self._round = None

    async def _run_round(self) -> HealthReport:
        self.rounds += 1
        checks = [check for source in self._sources for check in source.checks()]
        started = {check.spec.key: self._start(check) for check in checks}
        running = {task for task in started.values() if task is not None}
        if running:
            await asyncio.wait(running, timeout=self._deadline)
        readings: list[Reading] = []
        now = self._clock.now()
        for check in checks:
            task = started[check.spec.key]
            if task is None:
                readings.append(no_answer(check.spec, now, "the previous check has not returned yet"))
            elif task.done():
                readings.extend(task.result())
            else:
                task.cancel()
                output = f"no answer within the {self._deadline * 1000:.0f} ms deadline"
                readings.append(no_answer(check.spec, now, output))
        return HealthReport(self._damper.damp(readings), observed_at=self._clock.now())

    def _start(self, check: HealthCheck) -> asyncio.Task[tuple[Reading, ...]] | None:
        key = check.spec.key
        earlier = self._unfinished.get(key)
        if earlier is not None and not earlier.done():
            return None
        task = asyncio.ensure_future(self._observe(check))
        self._unfinished[key] = task
        task.add_done_callback(lambda done: self._forget(key, done))
        return task

    def _forget(self, key: str, task: asyncio.Task[tuple[Reading, ...]]) -> None:
        if self._unfinished.get(key) is task:
            del self._unfinished[key]
        if not task.cancelled():
            task.exception()  # retrieved: a straggler's late failure is not "never retrieved"

    async def _observe(self, check: HealthCheck) -> tuple[Reading, ...]:
        spec = check.spec
        timeout = min(check.timeout_seconds or self._check_timeout, self._deadline)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                observations = await check.observe()
        except TimeoutError:
            output = f"no answer within {timeout * 1000:.0f} ms"
            return (no_answer(spec, self._clock.now(), output, self._elapsed_ms(spec.observed_unit, started)),)
        except Exception as error:  # any failure is the component's state, reported, never raised
            output = f"{type(error).__name__}: {error}"[:MAX_OUTPUT]
            return (no_answer(spec, self._clock.now(), output, self._elapsed_ms(spec.observed_unit, started)),)
        now = self._clock.now()
        return tuple(judged(spec, observation, now) for observation in observations)

    @staticmethod
    def _elapsed_ms(unit: str | None, started: float) -> float | None:
        """A response time that ended in a failure is still a response time worth showing."""
        return round((time.perf_counter() - started) * 1000, 2) if unit == "ms" else None
