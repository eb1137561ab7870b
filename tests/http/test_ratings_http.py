"""What is about HTTP in ratings: status codes, the body's validation (a rating is a JSON whole
number 1..5, never "5" or true), scopes and problem shapes. The rules are
tests/use_cases/test_ratings.py."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from dependency_injector import providers
from quart.typing import TestClientProtocol as Client

from tests.support.accounts import PASSWORD, bearer, register_and_sign_in
from tests.support.apps import FakeWorld
from tests.support.catalog_fixtures import movie

DUNE = movie("Dune", genres=("science-fiction",))


class RecordingRefresh:
    def __init__(self) -> None:
        self.calls: list[list[UUID]] = []

    async def __call__(self, user_ids: list[UUID]) -> None:
        self.calls.append(list(user_ids))


@pytest.fixture
def refresh(world: FakeWorld) -> RecordingRefresh:
    recording = RecordingRefresh()
    world.container.recommendation_training.refresh_viewers.override(providers.Object(recording))
    return recording


@pytest.fixture
async def ana(client: Client, world: FakeWorld, refresh: RecordingRefresh) -> dict[str, str]:
    await world.catalog.upsert_many([DUNE])
    return bearer((await register_and_sign_in(client))["access_token"])


def rating_url(content: Any) -> str:
    return f"/api/v1/me/ratings/{content if isinstance(content, str) else content.id}"


async def test_a_rating_is_put_listed_and_deleted(
    client: Client, ana: dict[str, str], refresh: RecordingRefresh
) -> None:
    put = await client.put(rating_url(DUNE), json={"rating": 4}, headers=ana)
    assert put.status_code == 200
    body = await put.get_json()
    assert (body["content_id"], body["rating"]) == (str(DUNE.id), 4) and body["rated_at"]
    listed = await client.get("/api/v1/me/ratings", headers=ana)
    assert listed.status_code == 200 and await listed.get_json() == {"items": [body]}
    deleted = await client.delete(rating_url(DUNE), headers=ana)
    assert deleted.status_code == 204 and await deleted.get_data() == b""
    assert (await (await client.get("/api/v1/me/ratings", headers=ana)).get_json()) == {"items": []}
    assert len(refresh.calls) == 2


@pytest.mark.parametrize(
    "body", [{"rating": 0}, {"rating": 6}, {"rating": "5"}, {"rating": True}, {"rating": 4.5}, {"rating": None}]
)
async def test_a_rating_outside_one_to_five_or_not_a_number_is_an_invalid_rating_problem(
    client: Client, ana: dict[str, str], body: dict[str, Any]
) -> None:
    response = await client.put(rating_url(DUNE), json=body, headers=ana)
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    problem = await response.get_json()
    assert problem["type"] == "/problems/invalid-rating" and problem["status"] == 422


@pytest.mark.parametrize("body", [{}, {"rating": 4, "stars": 4}, [4]])
async def test_a_body_without_exactly_a_rating_is_a_validation_problem(
    client: Client, ana: dict[str, str], body: Any
) -> None:
    response = await client.put(rating_url(DUNE), json=body, headers=ana)
    assert response.status_code in (400, 422) and response.content_type == "application/problem+json"


async def test_rating_no_title_or_not_a_uuid_is_content_not_found(client: Client, ana: dict[str, str]) -> None:
    for target in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        response = await client.put(rating_url(target), json={"rating": 3}, headers=ana)
        assert response.status_code == 404
        assert (await response.get_json())["type"] == "/problems/content-not-found"


async def test_deleting_a_rating_there_is_not_is_rating_not_found(client: Client, ana: dict[str, str]) -> None:
    for target in (str(DUNE.id), "not-a-uuid"):
        response = await client.delete(rating_url(target), headers=ana)
        assert response.status_code == 404 and response.content_type == "application/problem+json"
        assert (await response.get_json())["type"] == "/problems/rating-not-found"


async def test_rating_needs_write_listing_needs_read_and_anonymous_is_401(client: Client, ana: dict[str, str]) -> None:
    created = await client.post(
        "/api/v1/auth/api-keys", json={"name": "widget", "scopes": ["read"], "password": PASSWORD}, headers=ana
    )
    key = {"X-API-Key": (await created.get_json())["key"]}
    assert (await client.put(rating_url(DUNE), json={"rating": 4}, headers=key)).status_code == 403
    assert (await client.delete(rating_url(DUNE), headers=key)).status_code == 403
    assert (await client.get("/api/v1/me/ratings", headers=key)).status_code == 200
    for method, body in (("GET", None), ("PUT", {"rating": 4}), ("DELETE", None)):
        url = "/api/v1/me/ratings" if method == "GET" else rating_url(DUNE)
        response = await client.open(url, method=method, json=body)
        assert response.status_code == 401 and "WWW-Authenticate" in response.headers
