"""What is about HTTP in search capture: the search answer's `search_id`, the click route's status
codes and problems, its body's validation, and who a search is counted for. The rules are
tests/use_cases/test_search_capture.py."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from quart.typing import TestClientProtocol as Client

from adapters.search_analytics.in_memory_search_event_store import InMemorySearchEventStore
from domain.search_analytics.models import SearchEvent, utc_day
from domain.shared.time_ordered_ids import moment_of
from tests.support.accounts import bearer, register_and_sign_in
from tests.support.apps import FakeWorld
from tests.support.catalog_fixtures import movie

PROBLEM = "application/problem+json"
DUNE = movie("Dune", genres=("science-fiction",))
DUNE_TWO = movie("Dune Part Two", genres=("science-fiction",))
ARRIVAL = movie("Arrival", genres=("science-fiction",))
CLICKS = "/api/v1/search/clicks"


@pytest.fixture(autouse=True)
async def catalog(world: FakeWorld) -> None:
    await world.catalog.upsert_many([DUNE, DUNE_TWO, ARRIVAL])


async def searched(client: Client, q: str = "dune", **headers: str) -> dict[str, Any]:
    response = await client.get("/api/v1/search", query_string={"q": q}, headers=headers)
    assert response.status_code == 200
    return await response.get_json()  # type: ignore[no-any-return]


async def stored_search(world: FakeWorld, search_id: str) -> SearchEvent:
    await world.container.search_analytics.flush_search_events()()
    store = world.container.search_analytics_adapters.event_store()
    assert isinstance(store, InMemorySearchEventStore)
    return store.events[UUID(search_id)]


async def test_a_search_answer_names_itself_with_a_time_ordered_id(client: Client, world: FakeWorld) -> None:
    body = await searched(client)
    search_id = UUID(body["search_id"])
    assert search_id.version == 7 and moment_of(search_id) is not None


async def test_a_click_on_a_result_is_204_and_a_repeat_too(client: Client) -> None:
    body = await searched(client)
    click = {"search_id": body["search_id"], "content_id": body["items"][1]["id"], "position": 2}
    for _ in range(2):
        response = await client.post(CLICKS, json=click)
        assert response.status_code == 204 and await response.get_data() == b""


async def problem_of(client: Client, body: Any) -> dict[str, Any]:
    response = await client.post(CLICKS, json=body)
    assert response.status_code == 422 and response.content_type == PROBLEM
    return await response.get_json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "kind", ["search id not a uuid", "content id not a uuid", "unknown search", "not on the page", "wrong position"]
)
async def test_a_click_that_cannot_be_counted_is_an_invalid_click_problem(client: Client, kind: str) -> None:
    body = await searched(client)
    first = body["items"][0]["id"]
    click = {"search_id": body["search_id"], "content_id": first, "position": 1}
    click |= {
        "search id not a uuid": {"search_id": "not-a-uuid"},
        "content id not a uuid": {"content_id": "dune"},
        "unknown search": {"search_id": str(uuid.uuid4())},
        "not on the page": {"content_id": str(ARRIVAL.id)},
        "wrong position": {"position": 2},
    }[kind]
    problem = await problem_of(client, click)
    assert problem["type"] == "/problems/invalid-click" and problem["status"] == 422


async def test_a_click_a_day_after_the_search_is_an_invalid_click_problem(client: Client, world: FakeWorld) -> None:
    body = await searched(client)
    await stored_search(world, body["search_id"])
    world.clock.advance(timedelta(hours=25))
    click = {"search_id": body["search_id"], "content_id": body["items"][0]["id"], "position": 1}
    assert (await problem_of(client, click))["type"] == "/problems/invalid-click"


@pytest.mark.parametrize(
    "body",
    [
        {"search_id": str(uuid.uuid4()), "content_id": str(uuid.uuid4())},
        {"search_id": str(uuid.uuid4()), "content_id": str(uuid.uuid4()), "position": 0},
        {"search_id": str(uuid.uuid4()), "content_id": str(uuid.uuid4()), "position": 1.5},
        {"search_id": 7, "content_id": str(uuid.uuid4()), "position": 1},
        {"search_id": str(uuid.uuid4()), "content_id": str(uuid.uuid4()), "position": 1, "rank": 1},
        [1, 2],
    ],
)
async def test_a_body_without_exactly_the_three_fields_is_a_validation_problem(client: Client, body: Any) -> None:
    response = await client.post(CLICKS, json=body)
    assert response.status_code in (400, 422) and response.content_type == PROBLEM
    assert (await response.get_json())["type"] != "/problems/invalid-click"


async def test_a_position_sent_as_a_numeric_string_is_taken_as_the_number(client: Client) -> None:
    # msgspec's lax mode, kept on purpose: a click beacon is not worth refusing over "2" for 2
    body = await searched(client)
    click = {"search_id": body["search_id"], "content_id": body["items"][1]["id"], "position": "2"}
    assert (await client.post(CLICKS, json=click)).status_code == 204


async def test_a_body_that_is_not_json_is_a_400_problem(client: Client) -> None:
    response = await client.post(CLICKS, data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.content_type == PROBLEM
    assert (await response.get_json())["type"] == "/problems/malformed-request"


async def test_a_signed_in_search_is_counted_for_the_user_and_a_bad_token_for_the_client(
    client: Client, world: FakeWorld
) -> None:
    tokens = await register_and_sign_in(client)
    user_id = (await (await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))).get_json())["user_id"]
    hasher = world.container.search_analytics_adapters.viewer_hasher()

    signed_in = await stored_search(world, (await searched(client, **bearer(tokens["access_token"])))["search_id"])
    assert signed_in.viewer == await hasher.hash(f"user:{user_id}", utc_day(signed_in.occurred_at))

    bad_token = await searched(client, Authorization="Bearer not-a-token", **{"User-Agent": "TestTV/1.0"})
    anonymous = await stored_search(world, bad_token["search_id"])
    assert anonymous.viewer != signed_in.viewer
    same_client = await searched(client, **{"User-Agent": "TestTV/1.0"})
    assert anonymous.viewer == (await stored_search(world, same_client["search_id"])).viewer
