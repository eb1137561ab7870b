"""What the circuit breakers tell the metrics (``adapters.operations.purgatory_circuit_breaker.BreakerObserver``)."""

from __future__ import annotations

from domain.operations.breakers import Transition
from entrypoints.telemetry.metrics import BREAKER_CALLS, BREAKER_TRANSITIONS


class PrometheusBreakerObserver:
    def counted(self, breaker: str, outcome: str) -> None:
        BREAKER_CALLS.labels(breaker=breaker, outcome=outcome).inc()

    def transitioned(self, transition: Transition) -> None:
        BREAKER_TRANSITIONS.labels(
            breaker=transition.breaker, from_state=transition.previous.value, to_state=transition.current.value
        ).inc()
