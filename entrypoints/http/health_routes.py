from __future__ import annotations

import asyncio
from typing import Any, Literal

from dependency_injector.wiring import Provide, inject
from msgspec import Struct
from quart import Blueprint
from quart_schema import tag
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.health import postgres_answers
from adapters.redis.health import redis_answers
from entrypoints.container import Container
from entrypoints.http.openapi_declarations import needs_no_services, responds
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
    engine: AsyncEngine = Provide[Container.shared.engine],
    redis: Redis = Provide[Container.shared.redis],
) -> tuple[dict[str, Any], int]:
    """Ready to serve: PostgreSQL and Redis both answer. 503 with the failing checks otherwise."""
    postgres_ok, redis_ok = await asyncio.gather(postgres_answers(engine), redis_answers(redis))
    checks = {"postgres": "ok" if postgres_ok else "down", "redis": "ok" if redis_ok else "down"}
    healthy = postgres_ok and redis_ok
    return {"status": "ok" if healthy else "unavailable", "checks": checks}, 200 if healthy else 503


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
