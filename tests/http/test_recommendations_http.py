"""What is about HTTP in recommendations, similar titles and similar viewers: the answers' shapes,
query validation (limit bounds, kind, bad ids), scopes (read; public similar; admin) and problem
shapes. Ranking, exclusions and fallbacks are the use cases' (tests/use_cases/test_recommend_*.py)."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import pytest
from dependency_injector import providers
from quart.typing import TestClientProtocol as Client

from application.recommendations.vector_index_ports import VectorPoint
from domain.recommendations.interactions import Interaction, TitleSignals
from domain.recommendations.models import AlsParameters
from tests.support.accounts import PASSWORD, bearer, register_and_sign_in
from tests.support.admins import signed_in_admin
from tests.support.apps import FakeWorld
from tests.support.serving_world import ITEM_VECTORS, ROMANCE, SCI_FI, SCI_FI_FAN, SHOW, FakeInteractionHistory


@pytest.fixture
def history(world: FakeWorld) -> FakeInteractionHistory:
    fake = FakeInteractionHistory()
    world.container.recommendations_adapters.interaction_history.override(providers.Object(fake))
    return fake


@pytest.fixture
async def signed_in(client: Client, world: FakeWorld, history: FakeInteractionHistory) -> dict[str, Any]:
    await world.catalog.upsert_many([*SCI_FI, *ROMANCE, SHOW])
    return await register_and_sign_in(client)


@pytest.fixture
def ana(signed_in: dict[str, Any]) -> dict[str, str]:
    return bearer(signed_in["access_token"])


async def user_id_of(client: Client, headers: dict[str, str]) -> UUID:
    return UUID((await (await client.get("/api/v1/me", headers=headers)).get_json())["user_id"])


async def train(world: FakeWorld, viewers: dict[UUID, tuple[float, float]]) -> int:
    registry = world.container.recommendations_adapters.registry()
    index = world.container.recommendation_index.vector_index()
    items = world.container.recommendations_adapters.item_catalog()
    version = await registry.begin(AlsParameters(factors=2), world.clock.now())
    await index.prepare(version.version, 2)
    payloads = await items.payloads(list(ITEM_VECTORS))
    await index.write_items(version.version, [VectorPoint(i, v, payloads[i]) for i, v in ITEM_VECTORS.items()])
    await index.write_viewers(version.version, [VectorPoint(u, v) for u, v in viewers.items()])
    await index.seal(version.version)
    await registry.finish(version, b"")
    return version.version


async def test_personal_picks_carry_the_content_a_score_and_named_reasons(
    client: Client, world: FakeWorld, ana: dict[str, str], history: FakeInteractionHistory
) -> None:
    me = await user_id_of(client, ana)
    version = await train(world, {me: SCI_FI_FAN})
    history.by_viewer[me] = [Interaction(me, SCI_FI[3].id, TitleSignals(watched_fraction=0.5))]
    response = await client.get("/api/v1/recommendations", query_string={"limit": 2}, headers=ana)
    assert response.status_code == 200
    body = await response.get_json()
    assert (body["source"], body["model_version"]) == ("als", version)
    first = body["items"][0]
    assert (first["id"], first["title"], first["kind"]) == (str(SCI_FI[0].id), "Star 0", "movie")
    assert first["availability"][0]["platform"] == "netflix" and isinstance(first["score"], float)
    assert first["because"] == [{"id": str(SCI_FI[3].id), "title": "Star 3"}]
    assert len(body["items"]) == 2


async def test_without_a_model_the_answer_says_popular_and_names_no_version(
    client: Client, ana: dict[str, str]
) -> None:
    response = await client.get("/api/v1/recommendations", query_string={"kind": "series"}, headers=ana)
    assert response.status_code == 200
    assert await response.get_json() == {"items": [], "model_version": None, "source": "popular"}


@pytest.mark.parametrize(
    "query",
    [{"limit": "0"}, {"limit": "101"}, {"limit": "ten"}, {"kind": "episode"}, {"kind": ""}, {"platform": ""}],
)
async def test_bad_query_parameters_are_400_problems(
    client: Client, ana: dict[str, str], query: dict[str, str]
) -> None:
    response = await client.get("/api/v1/recommendations", query_string=query, headers=ana)
    assert response.status_code == 400 and response.content_type == "application/problem+json"
    assert (await response.get_json())["type"] in (
        "/problems/invalid-query",
        "/problems/invalid-recommendation-request",
    )


async def test_recommendations_need_read_and_anonymous_is_401(client: Client, signed_in: dict[str, Any]) -> None:
    anonymous = await client.get("/api/v1/recommendations")
    assert anonymous.status_code == 401 and anonymous.content_type == "application/problem+json"
    created = await client.post(
        "/api/v1/auth/api-keys",
        json={"name": "widget", "scopes": ["read"], "password": PASSWORD},
        headers=bearer(signed_in["access_token"]),
    )
    key = {"X-API-Key": (await created.get_json())["key"]}
    assert (await client.get("/api/v1/recommendations", headers=key)).status_code == 200


async def test_similar_titles_are_public_and_name_their_source(
    client: Client, world: FakeWorld, signed_in: dict[str, Any]
) -> None:
    version = await train(world, {})
    response = await client.get(f"/api/v1/content/{SCI_FI[0].id}/similar", query_string={"limit": 2})
    assert response.status_code == 200
    body = await response.get_json()
    assert (body["source"], body["model_version"]) == ("als", version)
    assert [i["title"] for i in body["items"]] == ["Star 1", "Star 2"] and body["items"][0]["because"] == []


async def test_similar_of_no_title_or_a_bad_id_or_a_bad_limit_are_problems(
    client: Client, signed_in: dict[str, Any]
) -> None:
    for target in (uuid.uuid4(), "not-a-uuid"):
        missing = await client.get(f"/api/v1/content/{target}/similar")
        assert missing.status_code == 404 and (await missing.get_json())["type"] == "/problems/content-not-found"
    for limit in ("0", "101", "x"):
        bad = await client.get(f"/api/v1/content/{SCI_FI[0].id}/similar", query_string={"limit": limit})
        assert bad.status_code == 400 and bad.content_type == "application/problem+json"


async def test_similar_viewers_are_for_administrators_only(
    client: Client, world: FakeWorld, ana: dict[str, str]
) -> None:
    me = await user_id_of(client, ana)
    url = f"/api/v1/admin/users/{me}/similar-users"
    assert (await client.get(url)).status_code == 401
    assert (await client.get(url, headers=ana)).status_code == 403
    admin = bearer((await signed_in_admin(client, world.container))["access_token"])
    version = await train(world, {me: SCI_FI_FAN, uuid.uuid4(): (2.0, 0.1)})
    response = await client.get(url, query_string={"limit": 5}, headers=admin)
    assert response.status_code == 200
    body = await response.get_json()
    assert body["model_version"] == version and len(body["items"]) == 1
    assert set(body["items"][0]) == {"user_id", "score"}


async def test_similar_viewers_of_no_account_or_a_bad_id_are_viewer_not_found(
    client: Client, world: FakeWorld, ana: dict[str, str]
) -> None:
    admin = bearer((await signed_in_admin(client, world.container))["access_token"])
    for target in (uuid.uuid4(), "nobody"):
        response = await client.get(f"/api/v1/admin/users/{target}/similar-users", headers=admin)
        assert response.status_code == 404 and (await response.get_json())["type"] == "/problems/viewer-not-found"
