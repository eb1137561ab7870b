"""The breakers as the health aggregate reads them (``health_breaker_checks.BreakerStateReader``):
every declared breaker, and its state as this process sees it (shared, or its own while Redis is
away; never an exception because of Redis)."""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from application.operations.breaker_state_ports import BreakerStates
from application.operations.health_breaker_checks import BreakerState as HealthBreakerState
from application.shared.ports import Clock
from domain.operations.breakers import BreakerPolicies


@frozen
class BreakerHealthReader:
    policies: BreakerPolicies
    states: BreakerStates
    clock: Clock

    def breaker_names(self) -> Sequence[str]:
        return list(self.policies)

    async def breaker_state(self, name: str) -> HealthBreakerState:
        view = await self.states.view(self.policies[name], self.clock.now())
        return HealthBreakerState(view.state.value, view.failure_rate, view.next_trial_at)
