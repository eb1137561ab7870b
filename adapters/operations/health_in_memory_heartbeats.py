"""Heartbeats in memory, on the clock it is given (the fake world's manual one)."""

from __future__ import annotations

from datetime import timedelta

from application.operations.heartbeat_ports import HeardBeats
from application.shared.ports import Clock
from domain.operations.heartbeats import Beat, ProcessInstance


class InMemoryHeartbeatStore:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._beats: dict[ProcessInstance, Beat] = {}
        self._forget_after: timedelta | None = None

    async def beat(self, instance: ProcessInstance, forget_after: timedelta) -> None:
        now = self._clock.now()
        self._beats[instance] = Beat(instance, now)
        self._forget_after = forget_after
        self._beats = {i: b for i, b in self._beats.items() if now - b.last_beat <= forget_after}

    async def withdraw(self, instance: ProcessInstance) -> None:
        self._beats.pop(instance, None)

    async def heard(self) -> HeardBeats:
        now = self._clock.now()
        kept = [b for b in self._beats.values() if not self._forget_after or now - b.last_beat <= self._forget_after]
        return HeardBeats(read_at=now, beats=tuple(kept))
