"""Damping: a reading's reported status changes only after it has read differently twice in a
row (``rounds_to_flip``), so one slow ping does not flap a load balancer. A component seen for the
first time is reported as it reads; one no longer seen is forgotten."""

from __future__ import annotations

from collections.abc import Sequence

from attrs import define, field

from domain.operations.health import HealthStatus, Reading

Identity = tuple[str, str | None]


@define
class StatusDamper:
    rounds_to_flip: int = 2
    _reported: dict[Identity, HealthStatus] = field(factory=dict, init=False)
    _streak: dict[Identity, int] = field(factory=dict, init=False)

    def damp(self, readings: Sequence[Reading]) -> tuple[Reading, ...]:
        reported: dict[Identity, HealthStatus] = {}
        streaks: dict[Identity, int] = {}
        damped = []
        for reading in readings:
            identity = reading.identity
            before = self._reported.get(identity)
            streak = self._streak.get(identity, 0) + 1
            if before is None or before == reading.status or streak >= self.rounds_to_flip:
                reported[identity] = reading.status
                damped.append(reading)
            else:
                reported[identity], streaks[identity] = before, streak
                damped.append(reading.held_at(before))
        self._reported, self._streak = reported, streaks
        return tuple(damped)
