"""The circuit breakers against a real flaky upstream (a loopback HTTP server told to fail, be slow,
hang or recover), called through the httpx client adapter as the service's outbound clients call,
with the state in a real Redis: in this process, across processes (``tests/support/breaker_process``
runs in subprocesses), and with Redis killed under them."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from redis.asyncio import Redis

from adapters.operations.purgatory_circuit_breaker import PurgatoryCircuitBreaker
from adapters.operations.redis_breaker_states import RedisBreakerStates
from adapters.operations.redis_or_local_breaker_states import RedisOrLocalBreakerStates
from adapters.shared.httpx_dependency_client import HttpxDependencyClient
from adapters.shared.system import SystemClock
from domain.operations.breakers import BreakerMode, BreakerPolicies, BreakerPolicy, BreakerState, BreakerView
from domain.shared.errors import CircuitOpen
from tests.support.flaky_upstream import FlakyUpstream, flaky_upstream
from tests.support.line_process import LineProcess
from tests.support.own_redis import own_redis

pytestmark = pytest.mark.integration

POLICY = BreakerPolicy("upstream", wait_seconds=30, timeout_seconds=0.5, slow_call_seconds=0.2)
# A process decides alone from the last state Redis told it for this long (RedisOrLocalBreakerStates):
# what another process changed reaches it within this, or with its next reply from Redis.
VIEW_MAX_AGE = 0.1


class Recorder:
    """The breaker's observer, as the metrics are told."""

    def __init__(self) -> None:
        self.outcomes: list[str] = []
        self.transitions: list[tuple[str, str]] = []

    def counted(self, breaker: str, outcome: str) -> None:
        self.outcomes.append(outcome)

    def transitioned(self, transition: Any) -> None:
        self.transitions.append((transition.previous.value, transition.current.value))


@attrs.define
class Service:
    """One process's side: its breakers over Redis, and the upstream's client through them."""

    states: RedisOrLocalBreakerStates
    breakers: PurgatoryCircuitBreaker
    client: HttpxDependencyClient
    recorder: Recorder
    policy: BreakerPolicy

    async def call(self) -> str:
        try:
            await self.client.request("GET", "/item")
        except CircuitOpen:
            return "rejected"
        except httpx.HTTPStatusError as error:
            return str(error.response.status_code)
        except TimeoutError:
            return "timeout"
        return "200"

    async def timed_call(self) -> tuple[str, float]:
        started = time.perf_counter()
        outcome = await self.call()
        return outcome, time.perf_counter() - started

    async def calls(self, count: int) -> list[str]:
        return [await self.call() for _ in range(count)]

    async def view(self) -> BreakerView:
        await self.breakers.settled()  # the successes this process counted but has not sent yet
        return await self.states.view(self.policy, SystemClock().now())


@asynccontextmanager
async def service(redis_url: str, upstream: FlakyUpstream, policy: BreakerPolicy = POLICY) -> AsyncIterator[Service]:
    redis = Redis.from_url(redis_url)
    states = RedisOrLocalBreakerStates(RedisBreakerStates(redis), retry_every=0.2)
    recorder = Recorder()
    breakers = PurgatoryCircuitBreaker(BreakerPolicies([policy]), states, SystemClock(), recorder)
    try:
        async with httpx.AsyncClient(base_url=upstream.url) as http:
            yield Service(states, breakers, HttpxDependencyClient(http, breakers, policy.name), recorder, policy)
    finally:
        await redis.aclose()


class OtherProcess(LineProcess):
    """``tests/support/breaker_process`` in a subprocess: another service process on the same Redis."""

    def __init__(self, redis_url: str, upstream: FlakyUpstream, policy: BreakerPolicy) -> None:
        super().__init__("tests.support.breaker_process", redis_url, upstream.url, json.dumps(attrs.asdict(policy)))

    def call(self) -> dict[str, Any]:
        self.send("call")
        return self.answer()

    def view(self) -> dict[str, Any]:
        self.send("view")
        return self.answer()


@contextmanager
def other_process(redis_url: str, upstream: FlakyUpstream, policy: BreakerPolicy = POLICY) -> Iterator[OtherProcess]:
    process = OtherProcess(redis_url, upstream, policy)
    try:
        yield process
    finally:
        process.close(10)


@pytest.fixture
def upstream() -> Iterator[FlakyUpstream]:
    with flaky_upstream() as server:
        yield server


@pytest.fixture
async def fresh_redis_url(redis: Redis, redis_url: str) -> str:
    """The suite's Redis, its mg:* keys deleted (the ``redis`` fixture does it)."""
    return redis_url


async def test_it_opens_on_the_failure_rate_and_then_refuses_without_calling(
    fresh_redis_url: str, upstream: FlakyUpstream
) -> None:
    async with service(fresh_redis_url, upstream) as one:
        upstream.fail(503)
        assert await one.calls(4) == ["503"] * 4
        upstream.answer()
        assert await one.calls(5) == ["200"] * 5
        upstream.fail(503)
        assert await one.call() == "503"  # the 10th call: half of them failed
        view = await one.view()
        assert (view.state, view.shared, view.next_trial_at is not None) == (BreakerState.OPEN, True, True)
        before = upstream.requests
        refusals = [await one.timed_call() for _ in range(20)]
        assert [outcome for outcome, _ in refusals] == ["rejected"] * 20
        assert upstream.requests == before  # refused at once: none reached the upstream
        # nor waited for it: each refusal well inside one call's timeout (20 of them together share
        # the cores with the rest of the suite)
        assert max(seconds for _, seconds in refusals) < POLICY.timeout_seconds
        assert one.recorder.transitions == [("closed", "open")]
        assert one.recorder.outcomes.count("failure") == 5 and one.recorder.outcomes.count("rejected") == 20


async def test_a_404_is_an_answer_and_never_opens_it(fresh_redis_url: str, upstream: FlakyUpstream) -> None:
    async with service(fresh_redis_url, upstream) as one:
        upstream.not_found()
        assert await one.calls(25) == ["404"] * 25
        view = await one.view()
        assert (view.state, view.calls, view.failures) == (BreakerState.CLOSED, 20, 0)


async def test_it_opens_on_the_rate_of_slow_calls_though_they_succeed(
    fresh_redis_url: str, upstream: FlakyUpstream
) -> None:
    policy = attrs.evolve(POLICY, slow_call_rate_threshold=0.5)
    async with service(fresh_redis_url, upstream, policy) as one:
        upstream.slow(0.25)  # over the breaker's 0.2 s, within its 0.5 s timeout
        assert await one.calls(10) == ["200"] * 10
        assert await one.call() == "rejected"
        assert one.recorder.outcomes[:10] == ["slow"] * 10


async def test_timeouts_are_failures_and_open_it(fresh_redis_url: str, upstream: FlakyUpstream) -> None:
    async with service(fresh_redis_url, upstream) as one:
        upstream.hang()  # accepts the request and never answers
        started = time.perf_counter()
        assert await one.calls(10) == ["timeout"] * 10
        assert 10 * 0.5 <= time.perf_counter() - started < 10 * 0.5 + 2
        assert await one.call() == "rejected"
        assert (await one.view()).state is BreakerState.OPEN


async def test_an_open_breaker_answers_with_the_callers_fallback(fresh_redis_url: str, upstream: FlakyUpstream) -> None:
    async with service(fresh_redis_url, upstream) as one:
        upstream.fail(500)
        reasons: list[str] = []

        async def cached(reason: Exception) -> httpx.Response:
            reasons.append(type(reason).__name__)
            return httpx.Response(200, json={"from": "cache"})

        for _ in range(12):
            answered = await one.client.request("GET", "/item", fallback=cached)
            assert answered.json() == {"from": "cache"}
        assert reasons == ["HTTPStatusError"] * 10 + ["CircuitOpen"] * 2
        assert one.recorder.outcomes.count("fallback") == 12


async def test_after_the_wait_one_trial_closes_it_when_the_upstream_recovered(
    fresh_redis_url: str, upstream: FlakyUpstream
) -> None:
    policy = attrs.evolve(POLICY, wait_seconds=0.5)
    async with service(fresh_redis_url, upstream, policy) as one:
        upstream.fail()
        await one.calls(10)
        assert await one.call() == "rejected"
        await asyncio.sleep(0.6)
        assert await one.call() == "503"  # the trial failed: open again for another wait
        assert await one.call() == "rejected"
        upstream.recover()
        await asyncio.sleep(0.6)
        assert await one.calls(3) == ["200"] * 3
        assert one.recorder.transitions == [
            ("closed", "open"),
            ("open", "half_open"),
            ("half_open", "open"),
            ("open", "half_open"),
            ("half_open", "closed"),
        ]


async def test_a_second_process_sees_the_breaker_this_one_opened(fresh_redis_url: str, upstream: FlakyUpstream) -> None:
    async with service(fresh_redis_url, upstream) as one:
        upstream.fail()
        await one.calls(10)
        with other_process(fresh_redis_url, upstream) as other:
            before = upstream.requests
            refused = other.call()
            assert refused["outcome"] == "rejected" and 28 <= refused["retry_after_seconds"] <= 30
            assert upstream.requests == before
            assert other.view() == {"state": "open", "shared": True, "calls": 0}


async def test_two_trials_at_once_from_two_processes_let_one_through(
    fresh_redis_url: str, upstream: FlakyUpstream
) -> None:
    policy = attrs.evolve(POLICY, wait_seconds=1.0, timeout_seconds=3.0, slow_call_seconds=2.0)
    async with service(fresh_redis_url, upstream, policy) as one:
        upstream.fail()
        await one.calls(10)
        assert (await one.view()).state is BreakerState.OPEN
    with (
        other_process(fresh_redis_url, upstream, policy) as first,
        other_process(fresh_redis_url, upstream, policy) as second,
    ):
        upstream.slow(1.0)  # recovered, but the trial takes a second: both calls overlap
        await asyncio.sleep(1.1)  # past the next trial
        before = upstream.requests
        first.send("call")
        second.send("call")
        answers = sorted([first.answer(), second.answer()], key=lambda answer: answer["outcome"])
        assert [answer["outcome"] for answer in answers] == ["answered", "rejected"]
        assert upstream.requests == before + 1
        assert answers[1]["seconds"] < 0.5  # the other was refused at once, not after the trial
        assert first.view()["state"] == "closed"  # the trial succeeded


async def test_an_override_applies_in_every_process(fresh_redis_url: str, upstream: FlakyUpstream) -> None:
    async with service(fresh_redis_url, upstream) as one:
        with other_process(fresh_redis_url, upstream) as other:
            await one.states.force(POLICY, BreakerMode.FORCED_OPEN, SystemClock().now())
            before = upstream.requests
            assert other.call()["outcome"] == "rejected"
            assert upstream.requests == before
            await one.states.force(POLICY, BreakerMode.FORCED_CLOSED, SystemClock().now())
            await asyncio.sleep(VIEW_MAX_AGE)  # the other's last view (forced open) is too old to decide alone
            upstream.fail()
            assert [other.call()["outcome"] for _ in range(15)] == ["failed"] * 15  # through, and never opens
            assert other.view() == {"state": "forced_closed", "shared": True, "calls": 15}
            await one.states.force(POLICY, BreakerMode.AUTOMATIC, SystemClock().now())
            assert other.call()["outcome"] == "failed"  # back to its rules: 16 of the last 16 failed
            assert other.view()["state"] == "open"


async def test_with_redis_killed_the_breakers_work_on_their_own_and_share_again_when_it_returns(
    upstream: FlakyUpstream, tmp_path: Path
) -> None:
    with own_redis(tmp_path / "redis") as server:
        async with service(server.url, upstream) as one:
            upstream.fail()
            await one.calls(10)
            assert (await one.view()).shared and await one.call() == "rejected"

            server.kill()
            await asyncio.sleep(VIEW_MAX_AGE)  # the last view from Redis (open) no longer decides alone
            # This process's own state starts closed: the breaker judges the upstream again, alone.
            assert await one.calls(10) == ["503"] * 10
            assert await one.call() == "rejected"
            view = await one.view()
            assert (view.state, view.shared) == (BreakerState.OPEN, False)

            server.start()  # empty: what Redis held died with it
            await asyncio.sleep(0.3)  # past the retry interval
            upstream.recover()
            assert await one.calls(3) == ["200"] * 3
            view = await one.view()
            assert (view.state, view.shared, view.calls) == (BreakerState.CLOSED, True, 3)
            upstream.fail()
            await one.calls(7)  # 7 of the last 10 failed: open again, in Redis
            with other_process(server.url, upstream) as other:
                before = upstream.requests
                assert other.call()["outcome"] == "rejected"
                assert upstream.requests == before
