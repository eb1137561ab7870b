"""``application/health+json`` (IETF draft "Health Check Response Format for HTTP APIs") from a
health answer. Beyond the draft's members: ``affectedFeatures`` (at the top, and on each
reading that is not passing), ``critical``, ``ageSeconds`` (how old the reading is: reports are
cached), ``pendingStatus`` (the status damping holds back) and each check's own details
(a process's ``pid``, ``host``, ``startedAt``, ``lastBeat``; a backlog's ``pending``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.operations.health import Detail, HealthAnswer, Reading

MEDIA_TYPE = "application/health+json"


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _detail(value: Detail) -> str | int | float:
    return _time(value) if isinstance(value, datetime) else value


def _reading(reading: Reading, answer: HealthAnswer) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if reading.component_id is not None:
        body["componentId"] = reading.component_id
    body["componentType"] = reading.spec.component_type
    if reading.observed_value is not None:
        body["observedValue"] = reading.observed_value
        if reading.spec.observed_unit:
            body["observedUnit"] = reading.spec.observed_unit
    body["status"] = reading.status.value
    if reading.pending_status is not None:
        body["pendingStatus"] = reading.pending_status.value
    if reading.output:
        body["output"] = reading.output
    if reading.status.value != "pass" or reading.pending_status is not None:
        body["affectedFeatures"] = list(reading.spec.affected_features)
    body["critical"] = reading.spec.critical
    body["time"] = _time(reading.time)
    body["ageSeconds"] = round(answer.age_seconds(reading), 3)
    body.update({_camel(name): _detail(value) for name, value in reading.details.items()})
    return body


def health_json(answer: HealthAnswer, service_id: str | None = None) -> dict[str, Any]:
    report = answer.report
    body: dict[str, Any] = {"status": report.status.value, "description": "Media Gateway"}
    if service_id:
        body["serviceId"] = service_id
    failing = report.not_passing
    if failing:
        body["output"] = "; ".join(f"{r.key}: {r.output or r.status.value}" for r in failing)
        body["affectedFeatures"] = list(report.affected_features)
    checks: dict[str, list[dict[str, Any]]] = {}
    for reading in report.readings:
        checks.setdefault(reading.key, []).append(_reading(reading, answer))
    body["checks"] = checks
    return body
