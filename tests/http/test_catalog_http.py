"""What is about HTTP in the catalog: the shape of a search page, 404s and 400s. The product
behaviour is features/catalog/search.feature."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import attrs
from quart.typing import TestClientProtocol as Client

from domain.catalog.external_ids import ExternalIds
from tests.support.apps import FakeWorld
from tests.support.catalog_fixtures import movie, small_catalog


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


async def test_a_content_page_shows_external_ids_and_each_availabilitys_platform_id_and_window(
    client: Client, world: FakeWorld
) -> None:
    dune = movie("Dune", platforms=("netflix",))
    until = datetime(2031, 3, 1, tzinfo=UTC)
    offer = attrs.evolve(dune.availability[0], platform_content_id="81000001", available_until=until)
    await world.catalog.upsert_many(
        [attrs.evolve(dune, availability=(offer,), external_ids=ExternalIds(imdb="tt1160419", tmdb="438631"))]
    )
    body = await (await client.get(f"/api/v1/content/{dune.id}")).get_json()
    assert body["external_ids"] == {"imdb": "tt1160419", "tmdb": "438631"}
    (shown,) = body["availability"]
    assert shown["platform_content_id"] == "81000001"
    assert shown["available_from"] is None
    assert datetime.fromisoformat(shown["available_until"]) == until


async def test_a_withdrawn_title_is_a_404_content_not_found(client: Client, world: FakeWorld) -> None:
    gone = attrs.evolve(movie("Dune"), withdrawn_at=datetime(2026, 1, 1, tzinfo=UTC))
    await world.catalog.upsert_many([gone])
    response = await client.get(f"/api/v1/content/{gone.id}")
    assert response.status_code == 404 and (await response.get_json())["type"] == "/problems/content-not-found"
