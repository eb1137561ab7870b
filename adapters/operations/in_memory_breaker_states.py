from __future__ import annotations

import secrets
from datetime import datetime

from domain.operations.breakers import (
    Admission,
    Breaker,
    BreakerMode,
    BreakerPolicy,
    BreakerView,
    CallResult,
    Settled,
    Verdict,
    transition,
)


class InMemoryBreakerStates:
    """The breakers' states in this process, ruled by ``domain.operations.breakers`` itself: the
    fake world's store, and every process's own store while Redis does not answer. An event loop
    runs one step at a time, so each step is atomic here as the Lua script is in Redis."""

    def __init__(self) -> None:
        self._breakers: dict[str, Breaker] = {}

    def _get(self, policy: BreakerPolicy) -> Breaker:
        return self._breakers.get(policy.name, Breaker())

    def _view(self, policy: BreakerPolicy, breaker: Breaker) -> BreakerView:
        return breaker.view(policy.name, shared=False)

    async def admit(self, policy: BreakerPolicy, now: datetime) -> Admission:
        before = self._get(policy)
        token = secrets.token_hex(8)
        after, verdict, retry_after = before.admit(policy, now, token)
        self._breakers[policy.name] = after
        return Admission(
            verdict=verdict,
            view=self._view(policy, after),
            token=token if verdict is Verdict.TRIAL else None,
            retry_after=retry_after,
            transition=transition(policy.name, before.reported, after.reported),
        )

    async def settle(
        self, policy: BreakerPolicy, now: datetime, result: CallResult | None, token: str | None
    ) -> Settled:
        before = self._get(policy)
        after = self._breakers[policy.name] = before.settle(policy, now, result, token)
        return Settled(self._view(policy, after), transition(policy.name, before.reported, after.reported))

    async def count_successes(self, policy: BreakerPolicy, now: datetime, count: int) -> Settled:
        before = self._get(policy)
        after = self._breakers[policy.name] = before.succeeded(policy, now, count)
        return Settled(self._view(policy, after), transition(policy.name, before.reported, after.reported))

    async def force(self, policy: BreakerPolicy, mode: BreakerMode, now: datetime) -> Settled:
        before = self._get(policy)
        after = self._breakers[policy.name] = before.forced(mode, now)
        return Settled(self._view(policy, after), transition(policy.name, before.reported, after.reported))

    async def view(self, policy: BreakerPolicy, now: datetime) -> BreakerView:
        return self._view(policy, self._get(policy))
