"""The circuit breaker as its callers meet it (``operations.circuit_breaker`` of the fake world: purgatory's
machinery over the in-memory store, on the manual clock), and the operators' use cases. What counts as
a failure, what a fallback answers, cancellations, a breaker inside another; overrides and their log."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from dependency_injector import providers

from adapters.operations.purgatory_circuit_breaker import SUCCESSES_EVERY
from application.identity.principal import Principal
from application.operations.breakers import OverrideBreakerCommand
from application.shared.circuit_breaker_ports import CircuitBreaker
from domain.identity.security_event import SecurityEventKind
from domain.operations.breakers import BreakerMode, BreakerNotFound, BreakerPolicies, BreakerPolicy, BreakerState
from domain.shared.errors import CircuitOpen, NotFound
from tests.support.apps import FakeWorld, fake_container

UPSTREAM = BreakerPolicy("upstream", wait_seconds=30, timeout_seconds=0.2, slow_call_seconds=0.1)
INNER = BreakerPolicy("inner", wait_seconds=30)


class Unavailable(Exception):
    pass


class NoSuchItem(Exception):
    """What an adapter raises for a thing the dependency says is not there."""


@pytest.fixture
def world(tmp_path: Path) -> FakeWorld:
    world = fake_container(tmp_path)
    world.container.operations.breaker_policies.override(providers.Object(BreakerPolicies([UPSTREAM, INNER])))
    return world


@pytest.fixture
def breakers(world: FakeWorld) -> CircuitBreaker:
    return world.container.operations.circuit_breaker()  # type: ignore[no-any-return]


async def failing() -> str:
    raise Unavailable("down")


async def answering() -> str:
    return "answer"


async def fail_until_open(breakers: CircuitBreaker, name: str = "upstream") -> None:
    for _ in range(10):
        with pytest.raises(Unavailable):
            await breakers.call(name, failing)


async def state(world: FakeWorld, name: str = "upstream") -> BreakerState:
    await world.container.operations.circuit_breaker().settled()
    views = {view.name: view for view in await world.container.operations.list_breakers()()}
    return views[name].state


async def test_a_refused_call_raises_circuit_open_with_the_seconds_until_the_next_trial(
    world: FakeWorld, breakers: CircuitBreaker
) -> None:
    await fail_until_open(breakers)
    world.clock.advance(timedelta(seconds=10.5))
    with pytest.raises(CircuitOpen) as refused:
        await breakers.call("upstream", answering)
    assert (refused.value.breaker, refused.value.retry_after_seconds) == ("upstream", 20)  # 19.5, rounded up


async def test_domain_errors_and_declared_answers_do_not_count(world: FakeWorld, breakers: CircuitBreaker) -> None:
    async def not_there() -> str:
        raise NotFound("no such thing")

    async def no_such_item() -> str:
        raise NoSuchItem()

    for _ in range(10):
        with pytest.raises(NotFound):
            await breakers.call("upstream", not_there)
        with pytest.raises(NoSuchItem):
            await breakers.call("upstream", no_such_item, answers=[NoSuchItem])
    assert await state(world) is BreakerState.CLOSED


async def test_an_answer_chosen_by_a_predicate_counts_only_when_the_predicate_says_so(
    world: FakeWorld, breakers: CircuitBreaker
) -> None:
    def only_gone(error: BaseException) -> bool:
        return str(error) == "gone"

    async def gone() -> str:
        raise Unavailable("gone")

    for _ in range(10):
        with pytest.raises(Unavailable):
            await breakers.call("upstream", gone, answers=[(Unavailable, only_gone)])
    assert await state(world) is BreakerState.CLOSED
    for _ in range(10):
        with pytest.raises(Unavailable):
            await breakers.call("upstream", failing, answers=[(Unavailable, only_gone)])
    assert await state(world) is BreakerState.OPEN


async def test_the_fallback_answers_failures_and_refusals_but_never_answers(breakers: CircuitBreaker) -> None:
    reasons: list[type[Exception]] = []

    async def degraded(reason: Exception) -> str:
        reasons.append(type(reason))
        return "degraded"

    async def not_there() -> str:
        raise NotFound("no such thing")

    with pytest.raises(NotFound):
        await breakers.call("upstream", not_there, fallback=degraded)  # counted, as a success
    for _ in range(9):
        assert await breakers.call("upstream", failing, fallback=degraded) == "degraded"
    assert await breakers.call("upstream", answering, fallback=degraded) == "degraded"  # refused: not called
    assert reasons == [Unavailable] * 9 + [CircuitOpen]


async def test_a_call_past_the_timeout_is_cut_and_counted_as_a_failure(
    world: FakeWorld, breakers: CircuitBreaker
) -> None:
    async def hanging() -> str:
        await asyncio.sleep(10)
        return "too late"

    for _ in range(10):
        with pytest.raises(TimeoutError):
            await breakers.call("upstream", hanging)
    assert await state(world) is BreakerState.OPEN


async def test_a_cancelled_trial_frees_its_place_for_the_next_one(world: FakeWorld, breakers: CircuitBreaker) -> None:
    await fail_until_open(breakers)
    world.clock.advance(timedelta(seconds=30))
    started = asyncio.Event()

    async def waiting() -> str:
        started.set()
        await asyncio.sleep(10)
        return "never"

    trial = asyncio.create_task(breakers.call("upstream", waiting))
    await started.wait()
    with pytest.raises(CircuitOpen):
        await breakers.call("upstream", answering)  # the one trial is running
    trial.cancel()
    with pytest.raises(asyncio.CancelledError):
        await trial
    assert await state(world) is BreakerState.HALF_OPEN  # the caller gave up: no verdict on the dependency
    assert await breakers.call("upstream", answering) == "answer"
    assert await state(world) is BreakerState.CLOSED


async def test_a_refusal_by_a_breaker_inside_the_call_is_an_answer_to_the_outer_one(
    world: FakeWorld, breakers: CircuitBreaker
) -> None:
    await fail_until_open(breakers, "inner")

    async def through_inner() -> str:
        return await breakers.call("inner", answering)

    for _ in range(10):
        with pytest.raises(CircuitOpen) as refused:
            await breakers.call("upstream", through_inner, fallback=None)
        assert refused.value.breaker == "inner"
    assert await state(world, "upstream") is BreakerState.CLOSED


async def test_a_breaker_nobody_declared_is_a_programming_error(breakers: CircuitBreaker) -> None:
    with pytest.raises(LookupError, match=r"entrypoints/containers/operations\.py"):
        await breakers.call("undeclared", answering)


async def test_an_override_is_written_in_the_administrators_security_log(world: FakeWorld) -> None:
    admin = Principal(user_id=uuid4(), scopes=frozenset({"admin"}))
    override = world.container.operations.override_breaker()
    view = await override(OverrideBreakerCommand(admin, "upstream", BreakerMode.FORCED_OPEN, ip="10.0.0.7"))
    assert view.state is BreakerState.FORCED_OPEN
    [event] = world.identity.state.events
    assert (event.user_id, event.kind, event.ip, event.occurred_at) == (
        admin.user_id, SecurityEventKind.BREAKER_OVERRIDDEN, "10.0.0.7", world.clock.now()
    )  # fmt: skip
    assert event.details == {"breaker": "upstream", "mode": "forced_open", "previous_state": "closed"}


async def test_overriding_an_undeclared_breaker_changes_and_logs_nothing(world: FakeWorld) -> None:
    admin = Principal(user_id=uuid4(), scopes=frozenset({"admin"}))
    with pytest.raises(BreakerNotFound):
        await world.container.operations.override_breaker()(
            OverrideBreakerCommand(admin, "nope", BreakerMode.FORCED_OPEN)
        )
    assert world.identity.state.events == []


async def test_the_list_is_every_declared_breaker_in_declaration_order(
    world: FakeWorld, breakers: CircuitBreaker
) -> None:
    await fail_until_open(breakers, "inner")
    views = await world.container.operations.list_breakers()()
    assert [(view.name, view.state) for view in views] == [
        ("upstream", BreakerState.CLOSED),
        ("inner", BreakerState.OPEN),
    ]
    assert views[1].opened_at == world.clock.now()
    assert views[1].next_trial_at == world.clock.now() + timedelta(seconds=30)


async def test_successes_reach_the_store_within_a_moment_without_anyone_asking(world: FakeWorld) -> None:
    breakers = world.container.operations.circuit_breaker()
    for _ in range(3):
        assert await breakers.call("upstream", answering) == "answer"
    store = world.container.operations_adapters.breaker_states()
    assert (await store.view(UPSTREAM, world.clock.now())).calls == 0  # counted here, not sent yet
    await asyncio.sleep(SUCCESSES_EVERY * 2)
    assert (await store.view(UPSTREAM, world.clock.now())).calls == 3


async def test_the_failure_that_opens_a_breaker_has_opened_it_when_it_returns_after_the_successes_before_it(
    world: FakeWorld,
) -> None:
    quick = BreakerPolicy("quick", window_size=4, minimum_calls=4, failure_rate_threshold=0.75)
    world.container.operations.breaker_policies.override(providers.Object(BreakerPolicies([quick])))
    breakers = world.container.operations.circuit_breaker()
    for _ in range(2):
        await breakers.call("quick", answering)
    for _ in range(3):  # ok, ok, failed, failed, failed: the last four are 75% failures
        with pytest.raises(Unavailable):
            await breakers.call("quick", failing)
    with pytest.raises(CircuitOpen):
        await breakers.call("quick", answering)
