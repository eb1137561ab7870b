"""What the service's health is made of: readings of checks, each pass, warn or fail, and the
report they add up to (the shape of the IETF draft "Health Check Response Format for HTTP APIs").

Rules:
- A check that finds its dependency unhealthy reads ``fail`` when the service cannot serve
  without it (critical: PostgreSQL, Redis) and ``warn`` when it can, with less (the rest).
- The report is as bad as its worst reading: any ``fail`` fails it, else any ``warn`` warns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum

from attrs import evolve, field, frozen

Detail = str | int | float | datetime


class HealthStatus(StrEnum):
    PASS = "pass"  # noqa: S105 -- a status, not a password
    WARN = "warn"
    FAIL = "fail"


_SEVERITY = {HealthStatus.PASS: 0, HealthStatus.WARN: 1, HealthStatus.FAIL: 2}


def worst(statuses: Iterable[HealthStatus]) -> HealthStatus:
    return max(statuses, key=_SEVERITY.__getitem__, default=HealthStatus.PASS)


@frozen
class CheckSpec:
    """What a check measures (``component:measurement``, the report's key), what kind of thing
    the component is (``datastore``, ``component``, ``system``), whether the service can serve
    without it, and which features suffer when it is not healthy."""

    component: str
    measurement: str
    component_type: str
    critical: bool
    affected_features: tuple[str, ...] = ()
    observed_unit: str | None = None

    @property
    def key(self) -> str:
        return f"{self.component}:{self.measurement}"


@frozen
class Observation:
    """What one check saw of one component (``component_id`` tells instances apart): healthy or
    not, the value it measured, why not, and anything else worth showing (``details``)."""

    healthy: bool
    observed_value: float | int | None = None
    output: str | None = None
    component_id: str | None = None
    details: Mapping[str, Detail] = field(factory=dict)


@frozen
class Reading:
    """An observation judged: its status, when it was made, and, while damping holds back a
    change, the status it would have had (``pending_status``)."""

    spec: CheckSpec
    status: HealthStatus
    time: datetime
    observed_value: float | int | None = None
    output: str | None = None
    component_id: str | None = None
    details: Mapping[str, Detail] = field(factory=dict)
    pending_status: HealthStatus | None = None

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def identity(self) -> tuple[str, str | None]:
        return self.spec.key, self.component_id

    def held_at(self, status: HealthStatus) -> Reading:
        """This reading reported as ``status``, its own status pending."""
        return evolve(self, status=status, pending_status=self.status)


def unhealthy_status(spec: CheckSpec) -> HealthStatus:
    return HealthStatus.FAIL if spec.critical else HealthStatus.WARN


def judged(spec: CheckSpec, observation: Observation, time: datetime) -> Reading:
    return Reading(
        spec=spec,
        status=HealthStatus.PASS if observation.healthy else unhealthy_status(spec),
        time=time,
        observed_value=observation.observed_value,
        output=None if observation.healthy else observation.output,
        component_id=observation.component_id,
        details=observation.details,
    )


def no_answer(spec: CheckSpec, time: datetime, output: str, observed_value: float | None = None) -> Reading:
    """A check that timed out or broke: its component is as unhealthy as it can be."""
    return judged(spec, Observation(healthy=False, observed_value=observed_value, output=output), time)


@frozen
class HealthReport:
    """One round of every check, damped, and when the round ended."""

    readings: tuple[Reading, ...]
    observed_at: datetime

    @property
    def status(self) -> HealthStatus:
        return worst(r.status for r in self.readings)

    @property
    def not_passing(self) -> tuple[Reading, ...]:
        return tuple(r for r in self.readings if r.status is not HealthStatus.PASS)

    @property
    def affected_features(self) -> tuple[str, ...]:
        """The features that suffer, each once, in the order of the readings that name them."""
        return tuple(dict.fromkeys(f for r in self.not_passing for f in r.spec.affected_features))


@frozen
class HealthAnswer:
    """A report as given at ``answered_at``: a cached report is older than the answer."""

    report: HealthReport
    answered_at: datetime

    def age_seconds(self, reading: Reading) -> float:
        return max((self.answered_at - reading.time).total_seconds(), 0.0)
