"""What is about HTTP in the catalog: the shape of a search page, 404s and 400s. The product
behaviour is features/catalog/search.feature."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import attrs
from quart.typing import TestClientProtocol as Client
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.catalog.postgres_content_repository import PostgresContentRepository
from domain.catalog.external_ids import ExternalIds
from tests.support.apps import FakeWorld, real_container, running
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


async def test_a_search_says_whether_its_total_is_exact(client: Client, world: FakeWorld) -> None:
    await seeded(world)
    body = await (await client.get("/api/v1/search", query_string={"q": "dune"})).get_json()
    assert body["total_is_lower_bound"] is False
    document = await (await client.get("/openapi.json")).get_json()
    page = next(
        schema
        for schema in document["components"]["schemas"].values()
        if "total_is_lower_bound" in schema.get("properties", {})
    )
    assert page["properties"]["total_is_lower_bound"]["type"] == "boolean"
    assert "total_is_lower_bound" in page["required"]


async def test_past_a_thousand_matches_the_total_is_a_lower_bound_with_its_pages(
    engine: AsyncEngine, postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    await PostgresContentRepository(engine).upsert_many([movie(f"Harbor {n}") for n in range(1_005)])
    async with running(real_container(tmp_path, postgres_url, redis_url)) as (_, real):
        first = await (await real.get("/api/v1/search", query_string={"q": "harbor"})).get_json()
        last = await (await real.get("/api/v1/search", query_string={"q": "harbor", "page": "50"})).get_json()
        beyond = await (await real.get("/api/v1/search", query_string={"q": "harbor", "page": "51"})).get_json()
    assert (first["total"], first["total_is_lower_bound"], first["total_pages"]) == (1000, True, 50)
    assert len(first["items"]) == 20 and len(last["items"]) == 20 and beyond["items"] == []
