"""Where the breakers' states live: one store shared by every process (Redis), whose every step
is one atomic decision (``domain.operations.breakers``' rules), so that a half-open breaker lets
its few trials through across all processes and no two processes overwrite each other."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.operations.breakers import Admission, BreakerMode, BreakerPolicy, BreakerView, CallResult, Settled


class BreakerStates(Protocol):
    async def admit(self, policy: BreakerPolicy, now: datetime) -> Admission:
        """May a call go now? A trial's admission carries the token to settle it with."""

    async def settle(
        self, policy: BreakerPolicy, now: datetime, result: CallResult | None, token: str | None
    ) -> Settled:
        """Count a call's outcome (``None``: abandoned, which only frees a trial's place)."""

    async def count_successes(self, policy: BreakerPolicy, now: datetime, count: int) -> Settled:
        """``count`` fast successes of calls let through closed (no trials), as that many ``settle``
        calls would count them: the breaker sends them in batches, off its callers' path."""

    async def force(self, policy: BreakerPolicy, mode: BreakerMode, now: datetime) -> Settled:
        """An operator's override, for every process; ``automatic`` ends it."""

    async def view(self, policy: BreakerPolicy, now: datetime) -> BreakerView: ...
