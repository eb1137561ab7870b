"""One contract for the breakers' state store: the in-memory store (the domain's rules themselves),
Redis (the Lua script), and Redis behind the process's recent view and local fallback all pass it.
Time is given to every step, so the cases are exact to the millisecond."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.operations.in_memory_breaker_states import InMemoryBreakerStates
from adapters.operations.redis_breaker_states import RedisBreakerStates
from adapters.operations.redis_or_local_breaker_states import RedisOrLocalBreakerStates
from application.operations.breaker_state_ports import BreakerStates
from domain.operations.breakers import BreakerMode, BreakerPolicy, BreakerState, CallResult, Transition, Verdict

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
OK = CallResult(failed=False, slow=False)
SLOW = CallResult(failed=False, slow=True)
FAILED = CallResult(failed=True, slow=False)
SLOW_FAILURE = CallResult(failed=True, slow=True)
POLICY = BreakerPolicy("upstream", wait_seconds=30, timeout_seconds=5)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture(params=["in-memory", "redis", "redis-or-local"])
def states(request: pytest.FixtureRequest) -> BreakerStates:
    if request.param == "in-memory":
        return InMemoryBreakerStates()
    redis = RedisBreakerStates(request.getfixturevalue("redis"))
    return redis if request.param == "redis" else RedisOrLocalBreakerStates(redis)


async def calls(
    states: BreakerStates, results: list[CallResult], policy: BreakerPolicy = POLICY, now: float = 0
) -> None:
    for result in results:
        admission = await states.admit(policy, at(now))
        assert admission.verdict is Verdict.CALL
        await states.settle(policy, at(now), result, admission.token)


async def opened(states: BreakerStates, policy: BreakerPolicy = POLICY, now: float = 0) -> None:
    await calls(states, [FAILED] * policy.minimum_calls, policy, now)
    assert (await states.view(policy, at(now))).state is BreakerState.OPEN


async def test_a_breaker_never_called_is_closed_and_lets_calls_through(states: BreakerStates) -> None:
    admission = await states.admit(POLICY, T0)
    assert admission.verdict is Verdict.CALL and admission.token is None and admission.transition is None
    view = await states.view(POLICY, T0)
    assert (view.name, view.state, view.mode, view.calls, view.opened_at, view.next_trial_at) == (
        "upstream",
        BreakerState.CLOSED,
        BreakerMode.AUTOMATIC,
        0,
        None,
        None,
    )


async def test_it_opens_when_half_of_the_last_calls_failed_once_ten_are_counted(states: BreakerStates) -> None:
    await calls(states, [OK] * 5 + [FAILED] * 4)
    assert (await states.view(POLICY, T0)).state is BreakerState.CLOSED  # 9 calls: too few to judge
    admission = await states.admit(POLICY, at(1))
    settled = await states.settle(POLICY, at(1), FAILED, admission.token)
    assert settled.transition == Transition("upstream", BreakerState.CLOSED, BreakerState.OPEN)
    assert settled.view.state is BreakerState.OPEN
    assert (settled.view.opened_at, settled.view.next_trial_at) == (at(1), at(31))
    assert settled.view.calls == 0  # the window starts again


async def test_a_failure_rate_under_the_threshold_keeps_it_closed(states: BreakerStates) -> None:
    await calls(states, [OK] * 6 + [FAILED] * 4)
    view = await states.view(POLICY, T0)
    assert (view.state, view.calls, view.failures, view.failure_rate) == (BreakerState.CLOSED, 10, 4, 0.4)


async def test_only_the_last_window_size_calls_count(states: BreakerStates) -> None:
    policy = BreakerPolicy("upstream", window_size=4, minimum_calls=4, failure_rate_threshold=0.75)
    await calls(states, [FAILED, FAILED, OK, OK, OK, OK, FAILED, FAILED], policy)
    view = await states.view(policy, T0)
    assert (view.state, view.calls, view.failures) == (BreakerState.CLOSED, 4, 2)
    await calls(states, [FAILED], policy)  # the last four: ok, failed, failed, failed
    assert (await states.view(policy, T0)).state is BreakerState.OPEN


async def test_it_opens_on_the_rate_of_slow_calls_even_when_they_succeed(states: BreakerStates) -> None:
    policy = BreakerPolicy("upstream", slow_call_rate_threshold=0.5)
    await calls(states, [OK] * 5 + [SLOW] * 4, policy)
    view = await states.view(policy, T0)
    assert (view.state, view.slow_calls, view.slow_call_rate) == (BreakerState.CLOSED, 4, 4 / 9)
    await calls(states, [SLOW], policy)
    assert (await states.view(policy, T0)).state is BreakerState.OPEN


async def test_a_slow_failure_counts_as_a_failure_and_as_a_slow_call(states: BreakerStates) -> None:
    policy = BreakerPolicy("upstream", failure_rate_threshold=1.0, slow_call_rate_threshold=0.5)
    await calls(states, [OK] * 5 + [SLOW_FAILURE] * 4, policy)
    view = await states.view(policy, T0)
    assert (view.state, view.failures, view.slow_calls) == (BreakerState.CLOSED, 4, 4)
    await calls(states, [SLOW_FAILURE], policy)  # half failed (under 100%), half slow (50%)
    assert (await states.view(policy, T0)).state is BreakerState.OPEN


async def test_successes_counted_together_count_as_that_many_calls(states: BreakerStates) -> None:
    await calls(states, [FAILED] * 3)
    settled = await states.count_successes(POLICY, T0, 4)
    assert (settled.view.calls, settled.view.failures, settled.transition) == (7, 3, None)
    settled = await states.count_successes(POLICY, T0, 100)  # more than a window: a window of them
    assert (settled.view.calls, settled.view.failures) == (20, 0)


async def test_a_success_that_brings_the_window_to_its_minimum_can_open_it(states: BreakerStates) -> None:
    await calls(states, [FAILED] * 9)
    settled = await states.count_successes(POLICY, at(1), 3)  # at the first: 9 of 10 failed
    assert settled.transition == Transition("upstream", BreakerState.CLOSED, BreakerState.OPEN)
    assert (settled.view.calls, settled.view.opened_at) == (0, at(1))  # the other two came too late


async def test_successes_reaching_an_open_breaker_change_nothing(states: BreakerStates) -> None:
    await opened(states)
    settled = await states.count_successes(POLICY, at(1), 5)
    assert (settled.view.state, settled.view.calls, settled.transition) == (BreakerState.OPEN, 0, None)


async def test_an_open_breaker_refuses_until_the_wait_is_over(states: BreakerStates) -> None:
    await opened(states)
    refused = await states.admit(POLICY, at(10))
    assert refused.verdict is Verdict.REJECT and refused.retry_after == timedelta(seconds=20)
    assert refused.view.next_trial_at == at(30)


async def test_after_the_wait_one_trial_goes_through_and_the_others_are_refused(states: BreakerStates) -> None:
    await opened(states)
    trial = await states.admit(POLICY, at(30))
    assert trial.verdict is Verdict.TRIAL and trial.token
    assert trial.transition == Transition("upstream", BreakerState.OPEN, BreakerState.HALF_OPEN)
    other = await states.admit(POLICY, at(31))
    assert other.verdict is Verdict.REJECT
    assert other.retry_after == POLICY.trial_lease - timedelta(seconds=1)  # when the trial's place frees at the latest
    assert other.view.state is BreakerState.HALF_OPEN


async def test_a_trial_that_succeeds_closes_it_with_an_empty_window(states: BreakerStates) -> None:
    await opened(states)
    trial = await states.admit(POLICY, at(30))
    settled = await states.settle(POLICY, at(31), OK, trial.token)
    assert settled.transition == Transition("upstream", BreakerState.HALF_OPEN, BreakerState.CLOSED)
    assert (settled.view.state, settled.view.calls, settled.view.opened_at) == (BreakerState.CLOSED, 0, None)
    assert (await states.admit(POLICY, at(31))).verdict is Verdict.CALL


@pytest.mark.parametrize("result", [FAILED, SLOW], ids=["failed", "slow"])
async def test_a_trial_that_fails_or_is_slow_opens_it_for_another_wait(
    states: BreakerStates, result: CallResult
) -> None:
    await opened(states)
    trial = await states.admit(POLICY, at(30))
    settled = await states.settle(POLICY, at(32), result, trial.token)
    assert settled.transition == Transition("upstream", BreakerState.HALF_OPEN, BreakerState.OPEN)
    assert (settled.view.opened_at, settled.view.next_trial_at) == (at(32), at(62))
    assert (await states.admit(POLICY, at(40))).verdict is Verdict.REJECT


async def test_an_abandoned_trial_frees_its_place(states: BreakerStates) -> None:
    await opened(states)
    trial = await states.admit(POLICY, at(30))
    settled = await states.settle(POLICY, at(30), None, trial.token)
    assert settled.transition is None and settled.view.state is BreakerState.HALF_OPEN
    assert (await states.admit(POLICY, at(30))).verdict is Verdict.TRIAL


async def test_a_trial_never_settled_frees_its_place_when_its_lease_ends(states: BreakerStates) -> None:
    await opened(states)
    await states.admit(POLICY, at(30))  # its process died
    lease = POLICY.trial_lease.total_seconds()
    assert (await states.admit(POLICY, at(30 + lease - 0.001))).verdict is Verdict.REJECT
    assert (await states.admit(POLICY, at(30 + lease))).verdict is Verdict.TRIAL


async def test_the_number_of_trials_at_once_is_the_policys(states: BreakerStates) -> None:
    policy = BreakerPolicy("upstream", half_open_trials=2)
    await opened(states, policy)
    verdicts = [(await states.admit(policy, at(30))).verdict for _ in range(3)]
    assert verdicts == [Verdict.TRIAL, Verdict.TRIAL, Verdict.REJECT]


async def test_a_late_result_of_a_call_let_through_before_the_breaker_opened_is_not_counted(
    states: BreakerStates,
) -> None:
    late = await states.admit(POLICY, T0)
    await opened(states)
    settled = await states.settle(POLICY, at(1), FAILED, late.token)
    assert settled.transition is None
    assert (settled.view.state, settled.view.calls, settled.view.next_trial_at) == (BreakerState.OPEN, 0, at(30))


async def test_forced_open_refuses_every_call_and_has_no_next_trial(states: BreakerStates) -> None:
    settled = await states.force(POLICY, BreakerMode.FORCED_OPEN, at(5))
    assert settled.transition == Transition("upstream", BreakerState.CLOSED, BreakerState.FORCED_OPEN)
    view = settled.view
    assert (view.state, view.mode, view.opened_at, view.next_trial_at) == (
        BreakerState.FORCED_OPEN,
        BreakerMode.FORCED_OPEN,
        at(5),
        None,
    )
    refused = await states.admit(POLICY, at(3600))
    assert refused.verdict is Verdict.REJECT and refused.retry_after == POLICY.wait


async def test_forced_closed_lets_every_call_through_and_never_opens(states: BreakerStates) -> None:
    await opened(states)
    settled = await states.force(POLICY, BreakerMode.FORCED_CLOSED, at(1))
    assert settled.transition == Transition("upstream", BreakerState.OPEN, BreakerState.FORCED_CLOSED)
    await calls(states, [FAILED] * 20, now=2)
    view = await states.view(POLICY, at(2))
    assert (view.state, view.calls, view.failure_rate) == (BreakerState.FORCED_CLOSED, 20, 1.0)


async def test_back_to_automatic_a_forced_open_breaker_lets_a_trial_through_at_once(states: BreakerStates) -> None:
    await states.force(POLICY, BreakerMode.FORCED_OPEN, at(0))
    settled = await states.force(POLICY, BreakerMode.AUTOMATIC, at(10))
    assert settled.transition == Transition("upstream", BreakerState.FORCED_OPEN, BreakerState.OPEN)
    assert (settled.view.opened_at, settled.view.next_trial_at) == (at(0), at(10))
    assert (await states.admit(POLICY, at(10))).verdict is Verdict.TRIAL


async def test_back_to_automatic_a_forced_closed_breaker_judges_the_window_it_kept(states: BreakerStates) -> None:
    await states.force(POLICY, BreakerMode.FORCED_CLOSED, at(0))
    await calls(states, [FAILED] * 9, now=1)
    settled = await states.force(POLICY, BreakerMode.AUTOMATIC, at(2))
    assert settled.transition == Transition("upstream", BreakerState.FORCED_CLOSED, BreakerState.CLOSED)
    assert settled.view.calls == 9
    await calls(states, [FAILED], now=3)
    assert (await states.view(POLICY, at(3))).state is BreakerState.OPEN


async def test_forcing_the_mode_it_already_has_changes_nothing(states: BreakerStates) -> None:
    await calls(states, [OK, FAILED])
    settled = await states.force(POLICY, BreakerMode.AUTOMATIC, at(1))
    assert settled.transition is None and settled.view.calls == 2


async def test_breakers_are_independent(states: BreakerStates) -> None:
    other = BreakerPolicy("other")
    await opened(states)
    assert (await states.admit(other, T0)).verdict is Verdict.CALL
    assert (await states.view(other, T0)).state is BreakerState.CLOSED


async def test_viewing_changes_nothing(states: BreakerStates) -> None:
    await opened(states)
    for _ in range(3):
        view = await states.view(POLICY, at(40))  # past the wait: still open until a call asks
    assert view.state is BreakerState.OPEN and view.next_trial_at == at(30)
