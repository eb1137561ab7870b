"""The pure rules of health: statuses, damping, heartbeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.operations.health import (
    CheckSpec,
    HealthReport,
    HealthStatus,
    Observation,
    Reading,
    judged,
    worst,
)
from domain.operations.health_damping import StatusDamper
from domain.operations.heartbeats import Beat, ProcessInstance, heartbeat_observations

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
P, W, F = HealthStatus.PASS, HealthStatus.WARN, HealthStatus.FAIL
CRITICAL = CheckSpec("redis", "responseTime", "datastore", critical=True, affected_features=("sign-in",))
OPTIONAL = CheckSpec("qdrant", "responseTime", "datastore", critical=False, affected_features=("recommendations",))


def test_an_unhealthy_critical_component_fails_and_any_other_warns() -> None:
    down = Observation(healthy=False, output="refused")
    assert judged(CRITICAL, down, NOW).status is F
    assert judged(OPTIONAL, down, NOW).status is W
    assert judged(OPTIONAL, Observation(healthy=True, output="ignored"), NOW).output is None


def test_the_report_is_as_bad_as_its_worst_reading_and_names_what_suffers() -> None:
    assert worst([]) is P and worst([P, W]) is W and worst([W, F, P]) is F
    down = Observation(healthy=False)
    report = HealthReport((judged(CRITICAL, down, NOW), judged(OPTIONAL, down, NOW)), NOW)
    assert report.status is F
    assert report.affected_features == ("sign-in", "recommendations")


def _reading(status: HealthStatus, spec: CheckSpec = CRITICAL, component_id: str | None = None) -> Reading:
    return judged(spec, Observation(healthy=status is P, component_id=component_id), NOW)


def _reported(damper: StatusDamper, statuses: list[HealthStatus]) -> list[tuple[HealthStatus, HealthStatus | None]]:
    out = []
    for status in statuses:
        (damped,) = damper.damp([_reading(status)])
        out.append((damped.status, damped.pending_status))
    return out


@pytest.mark.parametrize(
    ("observed", "reported"),
    [
        ([P, F, F], [(P, None), (P, F), (F, None)]),  # a failure shows the second time in a row
        ([P, F, P, F, P], [(P, None), (P, F), (P, None), (P, F), (P, None)]),  # flapping never shows
        ([F, P, P], [(F, None), (F, P), (P, None)]),  # first seen: as it reads; recovery needs two
        ([P, F, F, P, F], [(P, None), (P, F), (F, None), (F, P), (F, None)]),
    ],
)
def test_a_status_flips_only_after_reading_differently_twice_in_a_row(
    observed: list[HealthStatus], reported: list[tuple[HealthStatus, HealthStatus | None]]
) -> None:
    assert _reported(StatusDamper(), observed) == reported


def test_damping_counts_each_component_apart_and_forgets_the_ones_gone() -> None:
    damper = StatusDamper()
    damper.damp([_reading(P, component_id="a"), _reading(P, component_id="b")])
    a, b = damper.damp([_reading(F, component_id="a"), _reading(P, component_id="b")])
    assert (a.status, a.pending_status, b.status) == (P, F, P)
    (b,) = damper.damp([_reading(F, component_id="b")])  # "a" no longer seen
    assert (b.status, b.pending_status) == (P, F)
    (a,) = damper.damp([_reading(F, component_id="a")])  # back: a new component, as it reads
    assert a.status is F


def _instance(kind: str, name: str, started: int = 0) -> ProcessInstance:
    return ProcessInstance(kind, name, pid=100 + started, host="h1", started_at=NOW + timedelta(seconds=started))


def test_each_process_of_a_kind_is_listed_and_one_silent_past_the_ttl_is_not_healthy() -> None:
    ttl = timedelta(seconds=15)
    beats = [
        Beat(_instance("worker", "w2", started=2), last_beat=NOW - timedelta(seconds=16)),
        Beat(_instance("worker", "w1", started=1), last_beat=NOW - timedelta(seconds=15)),
        Beat(_instance("api", "a1"), last_beat=NOW),
    ]
    w1, w2 = heartbeat_observations("worker", beats, NOW, ttl)
    assert (w1.component_id, w1.healthy, w1.observed_value) == ("w1", True, 15.0)
    assert (w2.component_id, w2.healthy) == ("w2", False)
    assert w2.output == "not heard from for 16.0 s (heartbeat TTL 15 s)"
    assert w1.details["pid"] == 101 and w1.details["last_beat"] == NOW - timedelta(seconds=15)


def test_a_kind_no_process_of_which_was_heard_from_is_not_healthy() -> None:
    (none,) = heartbeat_observations("worker", [Beat(_instance("api", "a1"), NOW)], NOW, timedelta(seconds=15))
    assert not none.healthy and none.component_id is None
    assert none.output == "no worker process has sent a heartbeat in the last 15 s"
