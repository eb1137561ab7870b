"""``breaker:<name>``: one check per circuit breaker, from whatever keeps the breakers' states.

The breakers read their shared state themselves (and fall back to their process's own when Redis
is away), so a breaker check is a read of that state; an open breaker is a ``warn``: its callers
get their fallbacks, the service still serves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from attrs import field, frozen

from application.operations.health_ports import HealthCheck
from domain.operations.health import CheckSpec, Detail, Observation

# "automatic" states and forced ones; a breaker letting calls through is healthy.
PASSING_STATES = frozenset({"closed", "forced_closed"})


@frozen
class BreakerState:
    state: str  # closed | open | half_open | forced_open | forced_closed
    failure_rate: float | None = None  # of the sliding window, 0..1
    next_trial_at: datetime | None = None


class BreakerStateReader(Protocol):
    """The breakers' read API, as the health aggregate needs it."""

    def breaker_names(self) -> Sequence[str]: ...

    async def breaker_state(self, name: str) -> BreakerState: ...


@frozen
class BreakerCheck:
    spec: CheckSpec
    name: str
    reader: BreakerStateReader
    timeout_seconds: float | None = None

    async def observe(self) -> Sequence[Observation]:
        state = await self.reader.breaker_state(self.name)
        healthy = state.state in PASSING_STATES
        details: dict[str, Detail] = {"state": state.state}
        if state.next_trial_at is not None:
            details["next_trial_at"] = state.next_trial_at
        rate = None if state.failure_rate is None else round(state.failure_rate * 100, 1)
        output = None if healthy else f"breaker {self.name} is {state.state.replace('_', ' ')}: calls get the fallback"
        return (Observation(healthy=healthy, observed_value=rate, output=output, details=details),)


@frozen
class BreakerHealthChecks:
    """A check source: one ``breaker:<name>`` check per breaker the reader knows, never critical."""

    reader: BreakerStateReader
    features: dict[str, tuple[str, ...]] = field(factory=dict)  # breaker name -> features behind it

    def checks(self) -> Sequence[HealthCheck]:
        return tuple(
            BreakerCheck(
                spec=CheckSpec(
                    component="breaker",
                    measurement=name,
                    component_type="component",
                    critical=False,
                    affected_features=self.features.get(name, (name,)),
                    observed_unit="%",
                ),
                name=name,
                reader=self.reader,
            )
            for name in self.reader.breaker_names()
        )
