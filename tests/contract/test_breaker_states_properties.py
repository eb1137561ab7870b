"""The Lua script decides as the domain's rules do: random runs of admissions, results (of calls,
of trials, late, abandoned), batches of successes, overrides and waits, applied in lockstep to the
in-memory store (which calls ``domain.operations.breakers``) and the Redis store, get the same
answer at every step."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from adapters.operations.in_memory_breaker_states import InMemoryBreakerStates
from adapters.operations.redis_breaker_states import RedisBreakerStates
from domain.operations.breakers import Admission, BreakerMode, BreakerPolicy, CallResult, Settled

START = datetime(2030, 1, 1, tzinfo=UTC)
results = st.one_of(st.none(), st.builds(CallResult, failed=st.booleans(), slow=st.booleans()))
admit = st.tuples(st.just("admit"))
settle = st.tuples(st.just("settle"), st.integers(min_value=1, max_value=3), results)  # of the k-th last admission
wait = st.tuples(st.just("wait"), st.integers(min_value=1, max_value=6_000))  # milliseconds
force = st.tuples(st.just("force"), st.sampled_from(list(BreakerMode)))
successes = st.tuples(st.just("successes"), st.integers(min_value=1, max_value=6))
# Overrides are rare, or they would keep the breaker from ever reaching its half-open refusals.
steps = st.one_of(admit, admit, admit, settle, settle, settle, successes, wait, wait, force)
policies = st.builds(
    BreakerPolicy,
    name=st.just("prop"),
    window_size=st.just(4),
    minimum_calls=st.integers(min_value=1, max_value=4),
    failure_rate_threshold=st.sampled_from([0.25, 0.5, 1.0]),
    slow_call_rate_threshold=st.sampled_from([0.25, 0.5, 1.0]),
    wait_seconds=st.sampled_from([1.0, 5.0]),
    half_open_trials=st.integers(min_value=1, max_value=2),
    timeout_seconds=st.just(2.0),
)


def comparable(answer: Admission | Settled) -> Any:
    """An answer without what differs by nature: the token's value and the view's ``shared``."""
    fields = attrs.asdict(answer, recurse=False)
    fields["view"] = attrs.evolve(answer.view, name="prop", shared=True)
    if "token" in fields:
        fields["token"] = fields["token"] is not None
    if fields.get("transition") is not None:
        fields["transition"] = attrs.evolve(answer.transition, breaker="prop")  # type: ignore[union-attr]
    return fields


async def lockstep(redis_url: str, policy: BreakerPolicy, run: list[tuple[Any, ...]]) -> None:
    redis = Redis.from_url(redis_url)
    shared_policy = attrs.evolve(policy, name=f"prop-{uuid.uuid4().hex[:12]}")  # a fresh breaker per example
    memory, script = InMemoryBreakerStates(), RedisBreakerStates(redis)
    tokens: dict[str, list[str | None]] = {"memory": [], "script": []}
    now = START
    try:
        for step in run:
            if step[0] == "wait":
                now += timedelta(milliseconds=step[1])
                continue
            if step[0] == "admit":
                answers = await memory.admit(policy, now), await script.admit(shared_policy, now)
                tokens["memory"].append(answers[0].token)
                tokens["script"].append(answers[1].token)
            elif step[0] == "settle":
                back, result = step[1], step[2]
                pick = {who: (held[-back] if back <= len(held) else None) for who, held in tokens.items()}
                answers = (
                    await memory.settle(policy, now, result, pick["memory"]),
                    await script.settle(shared_policy, now, result, pick["script"]),
                )
            elif step[0] == "successes":
                answers = (
                    await memory.count_successes(policy, now, step[1]),
                    await script.count_successes(shared_policy, now, step[1]),
                )
            else:
                answers = await memory.force(policy, step[1], now), await script.force(shared_policy, step[1], now)
            assert comparable(answers[0]) == comparable(answers[1]), step
    finally:
        await redis.aclose()


FAILED = CallResult(failed=True, slow=False)
# Most runs start by opening the breaker and waiting it out, so that the half-open rules (trials,
# refusals, leases) come up as often as the closed ones.
TRIP = [("admit",), ("settle", 1, FAILED)] * 4 + [("wait", 5_000)]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(policy=policies, tripped=st.booleans(), run=st.lists(steps, min_size=1, max_size=40))
def test_redis_decides_every_step_as_the_domain_rules_do(
    redis_url: str, policy: BreakerPolicy, tripped: bool, run: list[tuple[Any, ...]]
) -> None:
    asyncio.run(lockstep(redis_url, policy, (TRIP if tripped else []) + run))
