from __future__ import annotations

import uuid

from quart.typing import TestClientProtocol as Client

from tests.support.apps import FakeWorld
from tests.support.catalog_fixtures import small_catalog


async def seeded(world: FakeWorld) -> None:
    await world.catalog.upsert_many(small_catalog())


async def test_search_answers_a_ranked_page(client: Client, world: FakeWorld) -> None:
    await seeded(world)
    response = await client.get("/api/v1/search", query_string={"q": "dune"})
    assert response.status_code == 200
    body = await response.get_json()
    assert [item["title"] for item in body["items"]] == ["Dune", "Dune: Part Two"]
    assert (body["page"], body["page_size"], body["total"], body["total_pages"]) == (1, 20, 2, 1)
    dune = body["items"][0]
    assert {"id", "title", "kind", "runtime_seconds", "release_year", "genres", "availability"} <= set(dune)
    assert dune["availability"][0]["deep_link"].startswith("https://")


async def test_episodes_carry_their_series_and_numbers(client: Client, world: FakeWorld) -> None:
    await seeded(world)
    body = await (await client.get("/api/v1/search", query_string={"q": "chapter 2"})).get_json()
    episode = next(item for item in body["items"] if item["kind"] == "episode")
    assert episode["series_id"] and episode["season_number"] == 1 and episode["episode_number"] == 2


async def test_content_by_id_and_unknown_ids(client: Client, world: FakeWorld) -> None:
    await seeded(world)
    dune = small_catalog()[0]
    found = await client.get(f"/api/v1/content/{dune.id}")
    assert found.status_code == 200 and (await found.get_json())["title"] == "Dune"
    missing = await client.get(f"/api/v1/content/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert (await missing.get_json())["type"] == "/problems/content-not-found"
    assert (await client.get("/api/v1/content/not-a-uuid")).status_code == 404


async def test_bad_searches_are_400_problems(client: Client) -> None:
    cases = [
        {},
        {"q": "   "},
        {"q": "x" * 201},
        {"q": "dune", "year": "soon"},
        {"q": "dune", "year": "1200"},
        {"q": "dune", "page": "0"},
        {"q": "dune", "page": "1001"},
        {"q": "the", "page": "9223372036854775807"},
        {"q": "dune", "page_size": "1000"},
        {"q": "dune", "genre": "Sci Fi!"},
        {"q": "dune", "platform": "<script>"},
    ]
    for query in cases:
        response = await client.get("/api/v1/search", query_string=query)
        assert response.status_code == 400, query
        assert response.content_type == "application/problem+json", query
