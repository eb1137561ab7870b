"""The health aggregate on fakes: statuses, damping, timeouts and the deadline, the cache and its
single flight, heartbeats, the archive backlog, readiness, and a plugged-in source of checks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from attrs import field, frozen
from dependency_injector import providers

from adapters.operations.health_in_memory_ping import InMemoryPing
from adapters.shared.manual_clock import ManualClock
from application.operations.aggregate_health import AggregateHealth
from application.operations.health_breaker_checks import BreakerHealthChecks, BreakerState
from application.operations.health_checks import FixedHealthChecks, ResponseTimeCheck
from application.playback.progress_journal_ports import JournalBacklog
from domain.operations.health import CheckSpec, HealthAnswer, HealthStatus, Observation, Reading
from entrypoints.heartbeat import this_process
from tests.support.apps import FakeWorld, fake_container

P, W, F = HealthStatus.PASS, HealthStatus.WARN, HealthStatus.FAIL
CACHE = timedelta(seconds=5)


def only(answer: HealthAnswer, key: str) -> Reading:
    (reading,) = [r for r in answer.report.readings if r.key == key]
    return reading


def keys(answer: HealthAnswer) -> list[str]:
    return list(dict.fromkeys(r.key for r in answer.report.readings))


def ping(world: FakeWorld, name: str) -> InMemoryPing:
    found = getattr(world.container.health_adapters, f"{name}_ping")()
    assert isinstance(found, InMemoryPing)
    return found


async def with_a_worker(world: FakeWorld) -> None:
    """A worker beating, and this API process (what the app does while it serves)."""
    for kind in ("worker", "api"):
        await world.container.health.publish_heartbeat()(this_process(kind, world.clock))


async def next_round(world: FakeWorld) -> HealthAnswer:
    world.clock.advance(CACHE)
    return await world.container.health.aggregate_health()()


@pytest.fixture
def world(tmp_path: Path) -> FakeWorld:
    return fake_container(tmp_path, health_check_timeout_ms=100, health_deadline_ms=300)


async def test_everything_answering_and_a_worker_beating_passes(world: FakeWorld) -> None:
    await with_a_worker(world)
    answer = await world.container.health.aggregate_health()()
    assert answer.report.status is P
    assert keys(answer) == [
        "postgres:responseTime",
        "redis:responseTime",
        "worker:heartbeat",
        "api:heartbeat",
        "playback-archive:backlog",
        "mail:queue",
        "ingestion:backlog",
        "breaker:github",  # every declared breaker, the identity providers' too
        "breaker:google",
        "breaker:qdrant",  # declared by recommendations (the Qdrant server adapter)
    ]  # no Qdrant: it is not configured
    assert only(answer, "postgres:responseTime").spec.critical


async def test_a_critical_dependency_down_fails_the_report_once_it_failed_twice_in_a_row(world: FakeWorld) -> None:
    await with_a_worker(world)
    aggregate = world.container.health.aggregate_health()
    assert (await aggregate()).report.status is P
    ping(world, "redis").refuse(ConnectionError("Connection refused"))
    first = await next_round(world)
    assert first.report.status is P  # one bad reading does not flip a load balancer
    held = only(first, "redis:responseTime")
    assert (held.status, held.pending_status, held.output) == (P, F, "ConnectionError: Connection refused")
    second = await next_round(world)
    assert second.report.status is F
    assert "sign-in" in second.report.affected_features
    ping(world, "redis").recover()
    assert (await next_round(world)).report.status is F  # recovering needs two good readings too
    assert (await next_round(world)).report.status is P


async def test_a_dependency_down_from_the_start_is_reported_at_once(world: FakeWorld) -> None:
    await with_a_worker(world)
    ping(world, "postgres").refuse()
    assert (await world.container.health.aggregate_health()()).report.status is F


async def test_a_non_critical_dependency_down_only_warns_and_names_what_suffers(tmp_path: Path) -> None:
    world = fake_container(tmp_path, qdrant_url="http://qdrant:6333")
    await with_a_worker(world)
    ping(world, "qdrant").refuse()
    answer = await world.container.health.aggregate_health()()
    assert answer.report.status is W
    assert only(answer, "qdrant:responseTime").status is W
    assert answer.report.affected_features == ("recommendations",)


async def test_a_hanging_dependency_fails_at_its_own_timeout(world: FakeWorld) -> None:
    await with_a_worker(world)
    ping(world, "postgres").hang()
    started = time.perf_counter()
    answer = await world.container.health.aggregate_health()()
    elapsed = time.perf_counter() - started
    assert 0.1 <= elapsed < 0.2  # the check's 100 ms, not the 300 ms deadline
    reading = only(answer, "postgres:responseTime")
    assert (reading.status, reading.output) == (F, "no answer within 100 ms")
    assert isinstance(reading.observed_value, float) and reading.observed_value >= 100
    assert only(answer, "redis:responseTime").status is P  # the others ran alongside
    ping(world, "postgres").recover()


@frozen
class Stubborn:
    """A check that ignores being cancelled once (as code blocking in a thread would), then
    keeps going until released."""

    spec: CheckSpec
    released: asyncio.Event
    timeout_seconds: float | None = 10.0
    calls: list[int] = field(factory=list)

    async def observe(self) -> Sequence[Observation]:
        self.calls.append(1)
        try:
            await self.released.wait()
        except asyncio.CancelledError:
            await self.released.wait()
        return (Observation(healthy=True),)


STUBBORN = CheckSpec("stubborn", "responseTime", "component", critical=False, observed_unit="ms")


async def test_the_round_ends_at_the_deadline_and_a_check_still_running_is_not_started_again() -> None:
    clock, released = ManualClock(), asyncio.Event()
    stubborn = Stubborn(STUBBORN, released)
    answers = InMemoryPing()
    checks = FixedHealthChecks(
        (stubborn, ResponseTimeCheck(CheckSpec("db", "responseTime", "datastore", True), answers))
    )
    aggregate = AggregateHealth([checks], clock, deadline_seconds=0.2, check_timeout_seconds=5, cache_for=CACHE)
    started = time.perf_counter()
    first = await aggregate()
    assert time.perf_counter() - started < 0.25
    assert only(first, "stubborn:responseTime").output == "no answer within the 200 ms deadline"
    assert only(first, "db:responseTime").status is P
    clock.advance(CACHE)
    started = time.perf_counter()
    second = await aggregate()
    assert time.perf_counter() - started < 0.05  # nothing to wait for
    assert only(second, "stubborn:responseTime").output == "the previous check has not returned yet"
    assert len(stubborn.calls) == 1
    released.set()
    await asyncio.sleep(0.01)
    clock.advance(CACHE)
    assert only(await aggregate(), "stubborn:responseTime").status is W  # started again: pass pending (damped)
    assert len(stubborn.calls) == 2


async def test_many_concurrent_callers_share_one_round(tmp_path: Path) -> None:
    world = fake_container(tmp_path, health_cache_seconds=0)  # no cache: only the single flight
    aggregate = world.container.health.aggregate_health()
    answers = await asyncio.gather(*(aggregate() for _ in range(100)))
    assert aggregate.rounds == 1 and ping(world, "redis").calls == 1 and ping(world, "postgres").calls == 1
    assert len({id(answer.report) for answer in answers}) == 1
    await aggregate()
    assert aggregate.rounds == 2  # the next caller, after the round, starts another


async def test_a_caller_giving_up_does_not_cancel_the_round_others_wait_for(world: FakeWorld) -> None:
    ping(world, "postgres").hang()
    aggregate = world.container.health.aggregate_health()
    impatient = asyncio.ensure_future(aggregate())
    patient = asyncio.ensure_future(aggregate())
    await asyncio.sleep(0.01)
    impatient.cancel()
    answer = await patient
    assert only(answer, "postgres:responseTime").output == "no answer within 100 ms"
    ping(world, "postgres").recover()


async def test_a_report_is_kept_for_five_seconds_and_each_reading_tells_its_age(world: FakeWorld) -> None:
    aggregate = world.container.health.aggregate_health()
    first = await aggregate()
    world.clock.advance(timedelta(seconds=3))
    cached = await aggregate()
    assert cached.report is first.report and aggregate.rounds == 1
    assert cached.age_seconds(only(cached, "redis:responseTime")) == 3.0
    world.clock.advance(timedelta(seconds=2))
    fresh = await aggregate()
    assert aggregate.rounds == 2 and fresh.age_seconds(only(fresh, "redis:responseTime")) == 0.0


async def test_a_worker_not_heard_from_within_its_ttl_warns_and_one_that_stopped_cleanly_is_gone(
    world: FakeWorld,
) -> None:
    worker = this_process("worker", world.clock)
    health = world.container.health
    await health.publish_heartbeat()(worker)
    aggregate = health.aggregate_health()
    beat = only(await aggregate(), "worker:heartbeat")
    assert (beat.status, beat.component_id, beat.details["pid"]) == (P, worker.instance_id, worker.pid)
    world.clock.advance(timedelta(seconds=16))  # TTL 15 s
    assert only(await aggregate(), "worker:heartbeat").pending_status is W
    silent = only(await next_round(world), "worker:heartbeat")
    assert (silent.status, silent.output) == (W, "not heard from for 21.0 s (heartbeat TTL 15 s)")
    assert silent.spec.affected_features == ("progress-archive", "housekeeping")
    await health.publish_heartbeat()(worker)
    await health.withdraw_heartbeat()(worker)
    gone = only(await next_round(world), "worker:heartbeat")
    assert (gone.component_id, gone.status) == (None, W)
    assert gone.output == "no worker process has sent a heartbeat in the last 15 s"


async def test_a_worker_silent_for_four_ttls_is_no_longer_listed(world: FakeWorld) -> None:
    health = world.container.health
    await health.publish_heartbeat()(this_process("worker", world.clock))
    world.clock.advance(timedelta(seconds=61))
    api = this_process("api", world.clock)
    await health.publish_heartbeat()(api)
    heard = await world.container.health_adapters.heartbeats().heard()
    assert [b.instance for b in heard.beats] == [api]


@frozen
class Backlog:
    pending: int
    age: float

    async def backlog(self) -> JournalBacklog:
        return JournalBacklog(self.pending, self.age)


async def test_an_archive_backlog_older_than_its_bound_warns(world: FakeWorld) -> None:
    await with_a_worker(world)
    world.container.health.journal_backlog.override(providers.Object(Backlog(pending=42, age=61.2)))
    answer = await world.container.health.aggregate_health()()
    backlog = only(answer, "playback-archive:backlog")
    assert (answer.report.status, backlog.status, backlog.observed_value) == (W, W, 61.2)
    assert backlog.output == "42 changes wait for the archive, the oldest for 61 s (bound 60 s)"
    assert backlog.details == {"pending": 42}


async def test_readiness_is_each_critical_dependency_answering_within_its_timeout(world: FakeWorld) -> None:
    ready = world.container.health.check_readiness()
    assert (await ready()).ready
    ping(world, "redis").hang()
    started = time.perf_counter()
    readiness = await ready()
    assert time.perf_counter() - started < 0.2
    assert readiness.answered == {"postgres": True, "redis": False} and not readiness.ready
    ping(world, "redis").recover()


class Breakers:
    """What the breakers' read API gives the health checks (the breakers themselves are another part)."""

    def __init__(self, states: dict[str, BreakerState]) -> None:
        self.states = states

    def breaker_names(self) -> Sequence[str]:
        return list(self.states)

    async def breaker_state(self, name: str) -> BreakerState:
        return self.states[name]


async def test_a_source_plugged_in_adds_its_checks_and_a_tripped_breaker_warns(world: FakeWorld) -> None:
    await with_a_worker(world)
    breakers = Breakers({"identity-google": BreakerState("closed", 0.0), "qdrant": BreakerState("open", 0.6)})
    health = world.container.health
    health.check_sources.override(
        providers.List(
            health.core_checks, providers.Object(BreakerHealthChecks(breakers, {"qdrant": ("recommendations",)}))
        )
    )
    answer = await health.aggregate_health()()
    assert keys(answer)[-2:] == ["breaker:identity-google", "breaker:qdrant"]
    tripped = only(answer, "breaker:qdrant")
    assert (answer.report.status, tripped.status, tripped.observed_value) == (W, W, 60.0)
    assert tripped.output == "breaker qdrant is open: calls get the fallback"
    assert answer.report.affected_features == ("recommendations",)
