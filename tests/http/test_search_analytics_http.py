"""What is about HTTP in the search analytics report: admin scope, query validation as problems,
and the JSON shape. The figures themselves are the contract suite's
(tests/contract/test_search_analytics_contract.py)."""

from __future__ import annotations

import pytest
from quart.typing import TestClientProtocol as Client

from tests.support.accounts import bearer, register_and_sign_in
from tests.support.admins import signed_in_admin
from tests.support.apps import FakeWorld
from tests.support.catalog_fixtures import movie
from tests.support.scripted_searches import NOW, scripted

URL = "/api/v1/admin/search/analytics"


@pytest.fixture
async def admin(client: Client, world: FakeWorld) -> dict[str, str]:
    world.clock.advance(NOW - world.clock.now())
    return bearer((await signed_in_admin(client, world.container))["access_token"])


async def test_the_report_needs_an_administrator(client: Client) -> None:
    assert (await client.get(URL)).status_code == 401
    viewer = bearer((await register_and_sign_in(client))["access_token"])
    forbidden = await client.get(URL, headers=viewer)
    assert forbidden.status_code == 403 and forbidden.content_type == "application/problem+json"


@pytest.mark.parametrize("query", [{"window": "2h"}, {"limit": 0}, {"limit": 101}, {"limit": "many"}, {"platform": ""}])
async def test_a_bad_window_or_limit_is_a_problem(
    client: Client, admin: dict[str, str], query: dict[str, object]
) -> None:
    response = await client.get(URL, query_string=query, headers=admin)
    assert response.status_code == 400 and response.content_type == "application/problem+json"


async def test_the_report_has_the_dashboards_shape(client: Client, world: FakeWorld, admin: dict[str, str]) -> None:
    await world.catalog.upsert_many([movie("The Matrix")])
    script = scripted()
    store = world.container.search_analytics_adapters.event_store()
    await store.append(script.events)
    for click in script.clicks:
        await store.add_click(click)
    await world.container.search_analytics.roll_up_searches()()
    response = await client.get(URL, query_string={"window": "24h", "limit": 3}, headers=admin)
    assert response.status_code == 200
    body = await response.get_json()
    assert set(body) == {"window", "platform", "totals", "latency_ms", "popular", "zero_results", "no_clicks", "trend"}
    assert body["window"] == "24h" and body["platform"] is None
    assert body["totals"] == {
        "searches": 330,
        "viewers": 311,
        "zero_result_rate": round(11 / 330, 4),
        "click_through_rate": round(32 / 330, 4),
    }
    assert set(body["latency_ms"]) == {"p50", "p95", "p99"}
    assert body["popular"][1] == {
        "query": "dune",
        "searches": 8,
        "viewers": 7,
        "click_through_rate": 0.25,
        "average_click_position": 2.0,
    }
    assert len(body["popular"]) == 3
    assert body["zero_results"] == [{"query": "matrx", "searches": 5, "viewers": 5, "closest_titles": ["The Matrix"]}]
    assert body["no_clicks"] == [{"query": "alien", "searches": 5, "viewers": 5}]
    assert body["trend"][0] == {"bucket_start": "2026-03-09T14:00:00Z", "searches": 0, "p95_ms": None}
    assert body["trend"][-1]["bucket_start"] == "2026-03-10T14:00:00Z" and body["trend"][-1]["searches"] == 8


async def test_the_default_window_is_24_hours_and_a_platform_filters(
    client: Client, world: FakeWorld, admin: dict[str, str]
) -> None:
    await world.container.search_analytics_adapters.event_store().append(scripted().events)
    await world.container.search_analytics.roll_up_searches()()
    body = await (await client.get(URL, query_string={"platform": "netflix"}, headers=admin)).get_json()
    assert body["window"] == "24h" and body["platform"] == "netflix"
    assert body["totals"]["searches"] == 2 and body["popular"] == []  # two viewers: below k-anonymity
