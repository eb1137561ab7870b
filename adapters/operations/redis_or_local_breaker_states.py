"""The breakers' states in Redis while it answers, in this process while it does not.

Breakers exist for when things fail, Redis included: a Redis that refuses, errs or takes longer
than ``answer_within`` never fails a call. The breakers then run on this process's own states
(the same rules, ``InMemoryBreakerStates``) and Redis is asked again after ``retry_every``; once
it answers, sharing resumes from what Redis holds. A trial admitted locally is settled locally.

Each reply from Redis also tells this process the breaker's state, and for ``view_max_age`` that
view answers alone when it can: a closed breaker's calls go without asking (only their outcome is
sent), an open one refuses until its next trial without a round trip. So another process's
opening or an operator's override reaches this process within ``view_max_age`` or with its next
reply, whichever comes first. Half-open admissions always ask Redis: the trials' bound is exact.
Overrides are never applied locally: an operator's ``force`` fails when Redis does not answer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from adapters.operations.in_memory_breaker_states import InMemoryBreakerStates
from application.operations.breaker_state_ports import BreakerStates
from domain.operations.breakers import (
    Admission,
    BreakerMode,
    BreakerPolicy,
    BreakerState,
    BreakerView,
    CallResult,
    Settled,
    Verdict,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
REDIS_TROUBLE = (RedisError, OSError, TimeoutError)


class RedisOrLocalBreakerStates:
    def __init__(
        self,
        shared: BreakerStates,
        local: BreakerStates | None = None,
        *,
        answer_within: float = 0.25,
        retry_every: float = 1.0,
        view_max_age: timedelta = timedelta(milliseconds=100),
    ) -> None:
        self._shared = shared
        self._local = local or InMemoryBreakerStates()
        self._answer_within = answer_within
        self._retry_every = retry_every
        self._view_max_age = view_max_age
        self._views: dict[str, tuple[BreakerView, datetime]] = {}
        self._local_trials: set[str] = set()
        self._local_until = 0.0  # time.monotonic() before which Redis is not asked
        self._in_outage = False

    @property
    def sharing(self) -> bool:
        return time.monotonic() >= self._local_until

    async def _either(self, ask: Callable[[BreakerStates], Awaitable[T]]) -> T:
        if self.sharing:
            try:
                async with asyncio.timeout(self._answer_within):
                    answer = await ask(self._shared)
            except REDIS_TROUBLE as error:
                self._local_until = time.monotonic() + self._retry_every
                if not self._in_outage:  # once per outage, not once per retry
                    self._in_outage = True
                    log.warning(
                        "circuit breakers on this process's own state: Redis did not answer",
                        extra={"error_type": type(error).__name__, "retry_every_seconds": self._retry_every},
                    )
            else:
                if self._in_outage:
                    self._in_outage = False
                    log.info("circuit breakers share their state through Redis again")
                return answer
        return await ask(self._local)

    def _remember(self, view: BreakerView, now: datetime) -> None:
        if view.shared:
            self._views[view.name] = (view, now)

    def _recent(self, policy: BreakerPolicy, now: datetime) -> Admission | None:
        """What the last view from Redis decides alone, while it is recent and Redis answers."""
        remembered = self._views.get(policy.name)
        if remembered is None or not self.sharing:
            return None
        view, seen = remembered
        if not timedelta(0) <= now - seen < self._view_max_age:
            return None
        if view.state in (BreakerState.CLOSED, BreakerState.FORCED_CLOSED):
            return Admission(Verdict.CALL, view)
        if view.state is BreakerState.FORCED_OPEN:
            return Admission(Verdict.REJECT, view, retry_after=policy.wait)
        if view.state is BreakerState.OPEN and view.next_trial_at is not None and now < view.next_trial_at:
            return Admission(Verdict.REJECT, view, retry_after=view.next_trial_at - now)
        return None

    async def admit(self, policy: BreakerPolicy, now: datetime) -> Admission:
        recent = self._recent(policy, now)
        if recent is not None:
            return recent
        admission = await self._either(lambda states: states.admit(policy, now))
        self._remember(admission.view, now)
        if admission.token is not None and not admission.view.shared:
            self._local_trials.add(admission.token)
        return admission

    async def settle(
        self, policy: BreakerPolicy, now: datetime, result: CallResult | None, token: str | None
    ) -> Settled:
        if token is not None and token in self._local_trials:
            self._local_trials.discard(token)
            return await self._local.settle(policy, now, result, token)
        settled = await self._either(lambda states: states.settle(policy, now, result, token))
        self._remember(settled.view, now)
        return settled

    async def count_successes(self, policy: BreakerPolicy, now: datetime, count: int) -> Settled:
        settled = await self._either(lambda states: states.count_successes(policy, now, count))
        self._remember(settled.view, now)
        return settled

    async def force(self, policy: BreakerPolicy, mode: BreakerMode, now: datetime) -> Settled:
        try:
            async with asyncio.timeout(self._answer_within):
                settled = await self._shared.force(policy, mode, now)
        except TimeoutError as slow:
            raise RedisTimeoutError("Redis did not answer the override in time") from slow
        self._remember(settled.view, now)
        return settled

    async def view(self, policy: BreakerPolicy, now: datetime) -> BreakerView:
        view = await self._either(lambda states: states.view(policy, now))
        self._remember(view, now)
        return view
