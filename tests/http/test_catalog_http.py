"""What is about HTTP in the catalog: the shape of a search page, 404s and 400s. The product
behaviour is features/catalog/search.feature."""

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


async def test_an_unknown_or_malformed_content_id_is_a_404_problem(client: Client) -> None:
    missing = await client.get(f"/api/v1/content/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.content_type == "application/problem+json"
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
