"""What the health aggregate is built from: checks, grouped in sources the composition lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.operations.health import CheckSpec, Observation


class HealthCheck(Protocol):
    """One check: what it measures (``spec``), how long it may take (None: the default timeout),
    and the observing itself, which may raise (that reads as an unhealthy component)."""

    @property
    def spec(self) -> CheckSpec: ...

    @property
    def timeout_seconds(self) -> float | None: ...

    async def observe(self) -> Sequence[Observation]: ...


class HealthCheckSource(Protocol):
    """Checks the aggregate runs, listed anew every round (a source may add checks over time)."""

    def checks(self) -> Sequence[HealthCheck]: ...


class Ping(Protocol):
    """Returns once the dependency answered; raises when it refused or broke."""

    async def __call__(self) -> None: ...
