"""What is about HTTP in the circuit breakers: the admin routes (scope, shapes, validation, the
security log), and the 503 a refused call becomes. The rules are the contract suite's
(tests/contract/test_breaker_states_contract.py); the breakers against a real flaky upstream and
across processes are tests/integration/test_breakers_flaky_upstream.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from quart import Quart
from quart.typing import TestClientProtocol as Client

from domain.operations.breakers import BreakerPolicies, BreakerPolicy
from domain.shared.errors import CircuitOpen
from tests.support.accounts import bearer, from_address, register_and_sign_in
from tests.support.admins import signed_in_admin
from tests.support.apps import FakeWorld, fake_container, running

POLICIES = BreakerPolicies([BreakerPolicy("github", wait_seconds=30), BreakerPolicy("qdrant")])


@pytest.fixture
def world(tmp_path: Path) -> FakeWorld:
    world = fake_container(tmp_path)
    world.container.operations.breaker_policies.override(providers.Object(POLICIES))
    return world


@pytest.fixture
async def app_and_client(world: FakeWorld) -> AsyncIterator[tuple[Quart, Client]]:
    async with running(world.container) as (app, client):
        yield app, client


@pytest.fixture
def client(app_and_client: tuple[Quart, Client]) -> Client:
    return app_and_client[1]


@pytest.fixture
async def admin(client: Client, world: FakeWorld) -> dict[str, str]:
    return bearer((await signed_in_admin(client, world.container))["access_token"])


async def test_the_list_shows_every_declared_breaker_and_its_window(client: Client, admin: dict[str, str]) -> None:
    response = await client.get("/api/v1/admin/breakers", headers=admin)
    assert response.status_code == 200
    items = (await response.get_json())["items"]
    assert [item["name"] for item in items] == ["github", "qdrant"]
    assert items[0] == {
        "name": "github",
        "state": "closed",
        "mode": "automatic",
        "failure_rate": 0.0,
        "slow_call_rate": 0.0,
        "calls": 0,
        "opened_at": None,
        "next_trial_at": None,
        "shared": False,  # the fake world's store is this process's own
    }


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("GET", "/api/v1/admin/breakers", None), ("PUT", "/api/v1/admin/breakers/github", {"state": "forced_open"})],
)
async def test_only_an_administrator_may_see_or_override_breakers(
    client: Client, method: str, path: str, body: Any
) -> None:
    viewer = bearer((await register_and_sign_in(client))["access_token"])
    refused = await client.open(path, method=method, json=body, headers=viewer)
    assert refused.status_code == 403 and (await refused.get_json())["type"] == "/problems/forbidden"
    anonymous = await client.open(path, method=method, json=body)
    assert anonymous.status_code == 401


async def test_an_override_answers_the_breaker_after_it_and_is_in_the_admins_security_log(
    client: Client, admin: dict[str, str], world: FakeWorld
) -> None:
    world.clock.advance(timedelta(seconds=1))  # after the grant in the log, not at the same instant
    response = await client.put("/api/v1/admin/breakers/github", json={"state": "forced_open"}, headers=admin)
    assert response.status_code == 200
    body = await response.get_json()
    assert (body["state"], body["mode"], body["next_trial_at"]) == ("forced_open", "forced_open", None)
    log = await (await client.get("/api/v1/me/security-events", headers=admin)).get_json()
    newest = log["items"][0]
    assert newest["kind"] == "breaker_overridden"
    assert newest["details"] == {"breaker": "github", "mode": "forced_open", "previous_state": "closed"}
    back = await client.put("/api/v1/admin/breakers/github", json={"state": "automatic"}, headers=admin)
    assert (await back.get_json())["state"] == "open"  # the next call is a trial


@pytest.mark.parametrize("body", [{"state": "open"}, {"state": "forced_open", "for": 60}, {}, {"state": None}])
async def test_an_override_that_is_not_one_of_the_three_states_is_422(
    client: Client, admin: dict[str, str], body: dict[str, Any]
) -> None:
    response = await client.put("/api/v1/admin/breakers/github", json=body, headers=admin)
    assert response.status_code == 422


async def test_overriding_a_breaker_nobody_declared_is_404(client: Client, admin: dict[str, str]) -> None:
    response = await client.put("/api/v1/admin/breakers/nope", json={"state": "forced_open"}, headers=admin)
    assert response.status_code == 404
    assert (await response.get_json())["type"] == "/problems/breaker-not-found"


async def test_a_call_a_breaker_refused_is_a_503_with_the_time_until_the_next_trial(
    app_and_client: tuple[Quart, Client],
) -> None:
    app, client = app_and_client

    async def refused() -> None:
        raise CircuitOpen("A dependency is failing; try again shortly.", breaker="github", retry_after_seconds=17)

    app.add_url_rule("/test/refused", "refused", refused)
    response = await client.get("/test/refused")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "17"
    body = await response.get_json()
    assert (body["type"], body["retry_after_seconds"]) == ("/problems/dependency-unavailable", 17)
    assert "github" not in str(body)  # the breaker's name is for operators


async def test_the_health_aggregate_has_a_check_per_breaker_and_a_tripped_one_warns(tmp_path: Path) -> None:
    world = fake_container(tmp_path, health_cache_seconds=0)
    world.container.operations.breaker_policies.override(providers.Object(POLICIES))
    async with running(world.container) as (_, client):
        admin = bearer((await signed_in_admin(client, world.container))["access_token"])
        await client.put("/api/v1/admin/breakers/github", json={"state": "forced_open"}, headers=admin)
        for _ in range(2):  # a status flips once it is seen twice in a row
            body = await (await client.get("/health/aggregate", **from_address("127.0.0.1"))).get_json(force=True)
    (github,) = body["checks"]["breaker:github"]
    assert (github["status"], github["state"]) == ("warn", "forced_open")
    assert github["output"] == "breaker github is forced open: calls get the fallback"
    (qdrant,) = body["checks"]["breaker:qdrant"]
    assert (qdrant["status"], qdrant["observedValue"], qdrant["observedUnit"]) == ("pass", 0.0, "%")
