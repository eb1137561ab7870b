"""The model version serving uses, as this process last read it from the registry.

Each process re-reads the registry at most every ``ttl`` (``MG_RECS_MODEL_CACHE_SECONDS``), so a
version that ``media-gateway train`` finished in another process is served within that time,
without a restart, and a busy process does not ask the registry on every request."""

from __future__ import annotations

from datetime import datetime, timedelta

from application.recommendations.model_ports import ModelRegistry
from application.shared.ports import Clock
from domain.recommendations.models import ModelVersion


class ModelInUse:
    def __init__(self, registry: ModelRegistry, clock: Clock, ttl: timedelta) -> None:
        self._registry = registry
        self._clock = clock
        self._ttl = ttl
        self._version: ModelVersion | None = None
        self._read_at: datetime | None = None

    async def __call__(self) -> ModelVersion | None:
        now = self._clock.now()
        if self._read_at is None or now - self._read_at >= self._ttl or now < self._read_at:
            self._version = await self._registry.in_use()
            self._read_at = now
        return self._version
