from __future__ import annotations

from typing import Any, Literal

import msgspec
from dependency_injector.wiring import Provide, inject
from msgspec import Struct
from quart import Blueprint, Response, current_app
from quart_schema import hide, tag

from application.operations.aggregate_health import AggregateHealth
from application.operations.check_readiness import CheckReadiness
from domain.operations.health import HealthStatus
from entrypoints.container import Container
from entrypoints.http.health_json import MEDIA_TYPE, health_json
from entrypoints.http.openapi_declarations import needs_no_services, responds
from entrypoints.http.operator_access import refuse_strangers
from entrypoints.http.problems import PROBLEMS, problem

health = Blueprint("health", __name__)


class HealthOut(Struct):
    status: str


class ReadinessOut(Struct):
    status: Literal["ok", "unavailable"]
    checks: dict[str, Literal["ok", "down"]]


class ProblemTypeOut(Struct):
    type: str
    title: str
    status: int


@health.get("/health/live")
@tag(["operations"])
@needs_no_services
@responds(200, HealthOut, description="Up")
async def live() -> dict[str, str]:
    """The process is up. Never touches a dependency (it is also the benchmarks' floor)."""
    return {"status": "ok"}


@health.get("/health/ready")
@tag(["operations"])
@needs_no_services
@responds(200, ReadinessOut, description="Ready")
@responds(503, ReadinessOut, description="A dependency is down")
@inject
async def ready(
    check_readiness: CheckReadiness = Provide[Container.health.check_readiness],
) -> tuple[dict[str, Any], int]:
    """Ready to serve: PostgreSQL and Redis both answer, each within its timeout
    (`MG_HEALTH_CHECK_TIMEOUT_MS`). 503 with the failing checks otherwise."""
    readiness = await check_readiness()
    checks = {name: "ok" if answered else "down" for name, answered in readiness.answered.items()}
    return {"status": "ok" if readiness.ready else "unavailable", "checks": checks}, 200 if readiness.ready else 503


@health.get("/health/aggregate")
@hide  # an operator's view, like /metrics: for loopback and MG_METRICS_ALLOW only
@inject
async def aggregate(
    aggregate_health: AggregateHealth = Provide[Container.health.aggregate_health],
) -> Response:
    """Every dependency and process, `application/health+json`: 503 when a critical one fails."""
    await refuse_strangers()  # already refused before routing; checked again where the data leaves
    answer = await aggregate_health()
    instance = current_app.extensions.get("instance")
    body = health_json(answer, service_id=instance.instance_id if instance else None)
    status = 503 if answer.report.status is HealthStatus.FAIL else 200
    headers = {"Cache-Control": "no-store"}
    return Response(msgspec.json.encode(body), status=status, content_type=MEDIA_TYPE, headers=headers)


@health.get("/problems/<code>")
@tag(["operations"])
@needs_no_services
@responds(200, ProblemTypeOut, description="What the problem type means")
async def problem_type(code: str) -> tuple[dict[str, Any], int]:
    """What a problem `type` means: every error response's `type` points here."""
    if code not in PROBLEMS:
        return problem("not-found", f"No problem type {code!r}."), 404  # type: ignore[return-value]
    status, title = PROBLEMS[code]
    return {"type": f"/problems/{code}", "title": title, "status": status}, 200
