"""GET /health/aggregate over HTTP: its media type, status codes, who may read it; and
/health/ready's shape. What the report says is the use-case tests' (test_health_use_cases.py)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest
from quart.typing import TestClientProtocol as Client

from adapters.operations.health_in_memory_ping import InMemoryPing
from entrypoints.heartbeat import this_process
from tests.http.test_metrics_http import not_found_body
from tests.support.accounts import from_address
from tests.support.apps import FakeWorld, fake_container, running

LOCAL = from_address("127.0.0.1")


async def aggregate(client: Client, ip: str = "127.0.0.1") -> tuple[int, Any]:
    response = await client.get("/health/aggregate", **from_address(ip))
    assert response.content_type == "application/health+json"
    assert response.headers["Cache-Control"] == "no-store"
    return response.status_code, await response.get_json(force=True)


@pytest.fixture
async def worker_beating(world: FakeWorld) -> None:
    await world.container.health.publish_heartbeat()(this_process("worker", world.clock))


async def test_all_healthy_is_a_pass_with_the_draft_s_members(client: Client, worker_beating: None) -> None:
    status, body = await aggregate(client)
    assert (status, body["status"]) == (200, "pass")
    assert "output" not in body and "affectedFeatures" not in body
    (postgres,) = body["checks"]["postgres:responseTime"]
    assert postgres["componentType"] == "datastore" and postgres["observedUnit"] == "ms"
    assert postgres["status"] == "pass" and "output" not in postgres
    assert postgres["time"].endswith("Z") and postgres["ageSeconds"] == 0.0
    (api,) = body["checks"]["api:heartbeat"]  # this process, beating while it serves
    assert api["componentId"] == body["serviceId"] and {"pid", "host", "startedAt", "lastBeat"} <= set(api)


async def test_a_critical_dependency_failing_is_a_503_fail(world: FakeWorld, client: Client) -> None:
    redis = world.container.health_adapters.redis_ping()
    assert isinstance(redis, InMemoryPing)
    redis.refuse(ConnectionError("Connection refused"))
    status, body = await aggregate(client)
    assert (status, body["status"]) == (503, "fail")
    (reading,) = body["checks"]["redis:responseTime"]
    assert reading["output"] == "ConnectionError: Connection refused"
    assert "sign-in" in reading["affectedFeatures"] and reading["critical"] is True
    assert body["output"].startswith("redis:responseTime: ConnectionError")
    ready = await client.get("/health/ready")
    assert ready.status_code == 503
    assert await ready.get_json() == {"status": "unavailable", "checks": {"postgres": "ok", "redis": "down"}}


async def test_only_non_critical_trouble_is_a_200_warn(client: Client) -> None:
    status, body = await aggregate(client)  # no worker has beaten
    assert (status, body["status"]) == (200, "warn")
    assert body["affectedFeatures"] == ["progress-archive", "housekeeping"]


@pytest.mark.parametrize("ip", ["203.0.113.7", "10.1.2.3", "::2", None])
async def test_anyone_but_the_host_gets_the_404_of_a_path_that_does_not_exist(client: Client, ip: str | None) -> None:
    unknown = await not_found_body(await client.get("/no-such-path", **from_address(ip)))
    for method in ("GET", "POST", "OPTIONS", "DELETE"):
        response = await client.open("/health/aggregate", method=method, **from_address(ip))
        assert await not_found_body(response) == unknown, method
    spoofing = {"X-Forwarded-For": "127.0.0.1", "X-Real-IP": "127.0.0.1"}
    response = await client.get("/health/aggregate", headers=spoofing, **from_address(ip))
    assert await not_found_body(response) == unknown


async def test_the_networks_allowed_to_read_metrics_read_it_too(tmp_path: Path) -> None:
    world = fake_container(tmp_path, metrics_allow=(ipaddress.ip_network("10.0.0.0/8"),))
    async with running(world.container) as (_, client):
        assert (await aggregate(client, "10.1.2.3"))[0] == 200
        assert (await client.get("/health/aggregate", **from_address("11.0.0.1"))).status_code == 404


async def test_it_is_not_in_the_openapi_document_and_ready_and_live_still_are(client: Client) -> None:
    paths = (await (await client.get("/openapi.json")).get_json())["paths"]
    assert "/health/aggregate" not in paths and {"/health/live", "/health/ready"} <= set(paths)
    ready = await client.get("/health/ready")
    assert (ready.status_code, await ready.get_json()) == (
        200,
        {"status": "ok", "checks": {"postgres": "ok", "redis": "ok"}},
    )
