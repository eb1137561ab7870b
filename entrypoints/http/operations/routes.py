from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from quart import Blueprint, request
from quart_schema import tag, validate_request, validate_response

from application.identity.authenticate import Authenticate
from application.operations.breakers import ListBreakers, OverrideBreaker, OverrideBreakerCommand
from domain.operations.breakers import BreakerMode
from entrypoints.container import Container
from entrypoints.http.authentication import authenticated
from entrypoints.http.openapi_declarations import problems, signed_in

# Registered before any route below declares one of its codes with @problems (checked there).
from entrypoints.http.operations import problems as _  # noqa: F401
from entrypoints.http.operations.schemas import BreakerListOut, BreakerOut, BreakerOverrideIn, breaker_out

operations = Blueprint("operations", __name__)


@operations.get("/api/v1/admin/breakers")
@tag(["operations"])
@signed_in("admin")
@validate_response(BreakerListOut, 200)
@inject
async def list_breakers(
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    list_all: ListBreakers = Provide[Container.operations.list_breakers],
) -> BreakerListOut:
    """Every circuit breaker: its state (or override), the failure and slow-call rates of its window,
    when it opened and when it lets its next trial call through."""
    await authenticated(authenticate, "admin")
    return BreakerListOut(items=[breaker_out(view) for view in await list_all()])


@operations.put("/api/v1/admin/breakers/<name>")
@tag(["operations"])
@signed_in("admin")
@problems("breaker-not-found")
@validate_request(BreakerOverrideIn)
@validate_response(BreakerOut, 200)
@inject
async def override_breaker(
    name: str,
    data: BreakerOverrideIn,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    override: OverrideBreaker = Provide[Container.operations.override_breaker],
) -> BreakerOut:
    """Force a breaker open (`forced_open`: every call refused) or closed (`forced_closed`: every call
    let through, it never opens) in every process, or give it back to its rules (`automatic`).
    Written in your security log. 503 when the override cannot reach every process (Redis down)."""
    principal = await authenticated(authenticate, "admin")
    view = await override(
        OverrideBreakerCommand(principal=principal, breaker=name, mode=BreakerMode(data.state), ip=request.remote_addr)
    )
    return breaker_out(view)
