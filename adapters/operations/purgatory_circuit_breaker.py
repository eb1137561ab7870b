"""The ``CircuitBreaker`` port on purgatory's machinery, with our rules and our store.

What purgatory gives: the call wrapper (``AsyncCircuitBreakerFactory.get_breaker`` and the
``AsyncCircuitBreaker`` context manager), its answers-are-not-failures rule (``exclude``: types, or
(type, predicate) pairs, per call and global), its state pattern (``Context`` hands each call's
start, exception and end to a ``State``) and its message bus (a state's ``CallEnded`` reaches the
listener that settles it in the unit of work's repository).

What we replace, because purgatory's own pieces cannot do what the issue needs:
- its states (``ClosedState`` counts consecutive failures; ``HalfOpenedState`` lets every caller
  through; ``OpenedState`` reads ``time.time()``). Ours decide nothing: ``_Admitted`` times the
  call and reports its result, ``_Refused`` raises ``CircuitOpen``. The rules are
  ``domain.operations.breakers``.
- its repositories. purgatory decides in the process and then writes the new state
  (``update_state``, ``inc_failures``: a read-modify-write in Redis, and an exception when Redis is
  down). Ours asks the store (``BreakerStates``) to decide in one atomic step: ``get`` (which
  purgatory calls before every call to load the breaker) is where the call is admitted, and a
  ``CallEnded`` event settles it.

A fast success of a call the breaker let through closed is not sent on its own: it is the hot
path, and a round trip to Redis per call is what the caller would wait for (and most of a call's
CPU). Successes are counted in the process and sent as one count
(``BreakerStates.count_successes``) every ``SUCCESSES_EVERY``, or first thing with the breaker's
next failure, slow call or trial, so the order of a process's results is kept; ``settled()`` sends
them now. A failure, a slow call or a trial is settled before its caller gets the answer, so the
call that opens or closes a breaker has done so when it returns.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from purgatory import AsyncAbstractUnitOfWork, AsyncCircuitBreakerFactory, Event
from purgatory.domain.model import Context, State
from purgatory.service._async.repository import AsyncAbstractRepository

from application.operations.breaker_state_ports import BreakerStates
from application.shared.circuit_breaker_ports import Answers
from application.shared.ports import Clock
from domain.operations.breakers import Admission, BreakerPolicies, BreakerPolicy, CallResult, Transition, Verdict
from domain.shared.errors import CircuitOpen, DomainError

T = TypeVar("T")
SUCCESSES_EVERY = 0.05  # seconds; under the recent view's age (RedisOrLocalBreakerStates), which each count refreshes


class BreakerObserver(Protocol):
    """Told what happens, for metrics (``entrypoints/telemetry/breaker_metrics.py``)."""

    def counted(self, breaker: str, outcome: str) -> None:
        """``success``, ``slow``, ``failure``, ``rejected``, or ``fallback`` (a fallback answered)."""

    def transitioned(self, transition: Transition) -> None: ...


class _Unobserved:
    def counted(self, breaker: str, outcome: str) -> None:
        pass

    def transitioned(self, transition: Transition) -> None:
        pass


@dataclass(frozen=True)
class CallEnded(Event):
    breaker: str
    token: str | None
    result: CallResult | None  # None: abandoned (cancelled), which only frees a trial's place


class _Admitted(State):
    """A call the store let through: timed, and its result handed to the message bus."""

    name = "admitted"

    def __init__(self, policy: BreakerPolicy, admission: Admission) -> None:
        self.policy, self.admission = policy, admission
        self.started = 0.0
        self.result: CallResult | None = None

    def handle_new_request(self, context: Context) -> None:
        self.started = time.perf_counter()

    def handle_exception(self, context: Context, exc: BaseException) -> None:
        # Only an Exception is the dependency's doing; a cancellation is the caller's.
        self._ended(context, failed=True if isinstance(exc, Exception) else None)

    def handle_end_request(self, context: Context) -> None:
        self._ended(context, failed=False)

    def _ended(self, context: Context, *, failed: bool | None) -> None:
        if failed is not None:
            slow = time.perf_counter() - self.started >= self.policy.slow_call_seconds
            self.result = CallResult(failed=failed, slow=slow)
        context.messages.append(CallEnded(context.name, self.admission.token, self.result))


class _Refused(State):
    name = "refused"

    def __init__(self, policy: BreakerPolicy, admission: Admission) -> None:
        retry_after = admission.retry_after.total_seconds() if admission.retry_after is not None else 0.0
        self.refusal = CircuitOpen(
            "A service we depend on is failing; try again shortly.",
            breaker=policy.name,
            retry_after_seconds=max(1, math.ceil(retry_after)),
        )

    def handle_new_request(self, context: Context) -> None:
        raise self.refusal

    def handle_exception(self, context: Context, exc: BaseException) -> None:
        """Never called: the call was refused before it started."""

    def handle_end_request(self, context: Context) -> None:
        """Never called: the call was refused before it started."""


class _BreakerCall(Context):
    """One call through a breaker, in purgatory's terms; its state was decided by the store."""

    def __init__(self, policy: BreakerPolicy, admission: Admission) -> None:
        super().__init__(policy.name, threshold=policy.minimum_calls, ttl=policy.wait_seconds)
        self.admitted: _Admitted | None = None
        self.refused: _Refused | None = None
        if admission.verdict is Verdict.REJECT:
            self._state = self.refused = _Refused(policy, admission)
        else:
            self._state = self.admitted = _Admitted(policy, admission)


class _StoreRepository(AsyncAbstractRepository):
    """purgatory's repository over our store: loading a breaker admits the call."""

    def __init__(
        self, policies: BreakerPolicies, states: BreakerStates, clock: Clock, observer: BreakerObserver
    ) -> None:
        self.policies, self.states, self.clock, self.observer = policies, states, clock, observer
        self.messages: list[Any] = []

    async def get(self, name: str) -> Context:
        policy = self.policies[name]
        admission = await self.states.admit(policy, self.clock.now())
        if admission.transition is not None:
            self.observer.transitioned(admission.transition)
        return _BreakerCall(policy, admission)

    async def count_successes(self, breaker: str, count: int) -> None:
        settled = await self.states.count_successes(self.policies[breaker], self.clock.now(), count)
        if settled.transition is not None:
            self.observer.transitioned(settled.transition)

    async def settle(self, ended: CallEnded) -> None:
        settled = await self.states.settle(self.policies[ended.breaker], self.clock.now(), ended.result, ended.token)
        if settled.transition is not None:
            self.observer.transitioned(settled.transition)

    # purgatory's own write path, which only its own states use: `get` never answers None (so no
    # breaker is registered) and our states emit none of the events that would update one.
    async def register(self, context: Context) -> None:
        raise NotImplementedError("breakers are declared (BreakerPolicies), never registered by purgatory")

    async def update_state(self, name: str, state: str, opened_at: float | None) -> None:
        raise NotImplementedError("the store decides state changes (BreakerStates)")

    async def inc_failures(self, name: str, failure_count: int) -> None:
        raise NotImplementedError("the store counts failures (BreakerStates)")

    async def reset_failure(self, name: str) -> None:
        raise NotImplementedError("the store counts failures (BreakerStates)")


class _StoreUnitOfWork(AsyncAbstractUnitOfWork):
    def __init__(self, repository: _StoreRepository) -> None:
        self.contexts = repository

    async def commit(self) -> None:
        """Every step of the store is already its own transaction."""

    async def rollback(self) -> None:
        """Nothing to undo: see commit."""


class PurgatoryCircuitBreaker:
    """Every outbound call of the service goes through here, by breaker name."""

    def __init__(
        self,
        policies: BreakerPolicies,
        states: BreakerStates,
        clock: Clock,
        observer: BreakerObserver | None = None,
    ) -> None:
        self._policies = policies
        self._observer = observer or _Unobserved()
        self._repository = _StoreRepository(policies, states, clock, self._observer)
        # Domain errors are answers wherever they come from (a provider's "no such user").
        self._factory = AsyncCircuitBreakerFactory(uow=_StoreUnitOfWork(self._repository), exclude=[DomainError])
        self._factory.messagebus.add_listener(CallEnded, self._call_ended)
        self._successes: dict[str, int] = {}  # by breaker, not sent yet
        self._sender: asyncio.Task[None] | None = None

    async def call(
        self,
        breaker: str,
        operation: Callable[[], Awaitable[T]],
        *,
        fallback: Callable[[Exception], Awaitable[T]] | None = None,
        answers: Answers = (),
    ) -> T:
        policy = self._policies.get(breaker)
        if policy is None:
            raise LookupError(f"No breaker named {breaker!r} is declared (entrypoints/containers/operations.py)")
        guarded = await self._factory.get_breaker(breaker, exclude=list(answers))
        call: _BreakerCall = guarded.context
        try:
            async with guarded:
                async with asyncio.timeout(policy.timeout_seconds):
                    return await operation()
        except CircuitOpen as refused:
            if call.refused is None or refused is not call.refused.refusal:
                raise  # another breaker's refusal, inside this call: an answer here
            self._observer.counted(breaker, "rejected")
            if fallback is None:
                raise
            reason: Exception = refused
        except Exception as error:
            failed = call.admitted is not None and call.admitted.result is not None and call.admitted.result.failed
            if fallback is None or not failed:
                raise
            reason = error
        self._observer.counted(breaker, "fallback")
        return await fallback(reason)

    async def settled(self) -> None:
        """Once every success counted in this process has reached the store."""
        for breaker in list(self._successes):
            await self._send_successes(breaker)

    async def _send_successes(self, breaker: str) -> None:
        count = self._successes.pop(breaker, 0)
        if count:
            await self._repository.count_successes(breaker, count)

    async def _send_successes_later(self) -> None:
        try:
            await asyncio.sleep(SUCCESSES_EVERY)
        finally:
            self._sender = None
        await self.settled()

    async def _call_ended(self, ended: CallEnded, uow: AsyncAbstractUnitOfWork) -> None:
        result = ended.result
        if result is not None:
            outcome = "failure" if result.failed else "slow" if result.slow else "success"
            self._observer.counted(ended.breaker, outcome)
        if result is not None and not result.failed and not result.slow and ended.token is None:
            self._successes[ended.breaker] = self._successes.get(ended.breaker, 0) + 1
            if self._sender is None:
                self._sender = asyncio.create_task(self._send_successes_later())
            return
        await self._send_successes(ended.breaker)  # the earlier results first
        await self._repository.settle(ended)
