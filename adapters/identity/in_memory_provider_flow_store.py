from __future__ import annotations

from datetime import datetime, timedelta

from application.identity.external_identity_ports import ProviderFlow
from application.shared.ports import Clock


class InMemoryProviderFlowStore:
    """Flows in a dict, forgotten ``ttl`` after they were put, on the injected clock."""

    def __init__(self, clock: Clock, *, ttl: timedelta) -> None:
        self._clock = clock
        self._ttl = ttl
        self._flows: dict[str, tuple[ProviderFlow, datetime]] = {}

    async def put(self, state_digest: str, flow: ProviderFlow) -> None:
        self._flows[state_digest] = (flow, self._clock.now() + self._ttl)

    async def take(self, state_digest: str) -> ProviderFlow | None:
        flow, until = self._flows.pop(state_digest, (None, None))
        if flow is None or until is None or until <= self._clock.now():
            return None
        return flow
