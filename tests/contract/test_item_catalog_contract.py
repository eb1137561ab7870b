"""One contract for ItemCatalog and ViewerDirectory: the in-memory fakes and PostgreSQL pass it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import attrs
import pytest

from application.recommendations.vector_index_ports import ItemPayload
from domain.catalog.content import Availability
from tests.support.catalog_fixtures import movie, series_with_episodes
from tests.support.serving_adapters import BACKENDS, NOW, ServingAdapters, serving_adapters

DUNE = movie("Dune", genres=("science-fiction", "adventure"), platforms=("max", "netflix"))
SHOW, EP1, *_ = series_with_episodes("Stranger Signals", episodes=1)


@pytest.fixture(params=BACKENDS)
def adapters(request: pytest.FixtureRequest) -> ServingAdapters:
    return serving_adapters(request)


async def test_contents_are_the_titles_as_the_catalog_shows_them_now_unknown_ids_left_out(
    adapters: ServingAdapters,
) -> None:
    ending = Availability("prime-video", "GB", "https://prime.example/d", available_until=NOW - timedelta(days=1))
    later = Availability("hulu", "US", "https://hulu.example/d", available_from=NOW + timedelta(days=1))
    dune = attrs.evolve(DUNE, availability=(*DUNE.availability, ending, later))
    await adapters.catalog.upsert_many([dune, SHOW, EP1])
    found = await adapters.items.contents([dune.id, uuid.uuid4(), EP1.id, dune.id])
    assert set(found) == {dune.id, EP1.id}
    assert found[dune.id].title == "Dune" and found[dune.id].genres == ("science-fiction", "adventure")
    assert sorted(a.platform for a in found[dune.id].availability) == ["max", "netflix"]
    assert found[EP1.id].series_id == SHOW.id
    assert await adapters.items.contents([]) == {}


async def test_withdrawn_titles_are_neither_contents_nor_payloads(adapters: ServingAdapters) -> None:
    await adapters.catalog.upsert_many([attrs.evolve(DUNE, withdrawn_at=NOW), SHOW])
    assert set(await adapters.items.contents([DUNE.id, SHOW.id])) == {SHOW.id}
    assert set(await adapters.items.payloads([DUNE.id, SHOW.id])) == {SHOW.id}


async def test_payloads_carry_kind_genres_and_where_the_title_is_offered_now(adapters: ServingAdapters) -> None:
    gone = Availability("hulu", "CA", "https://hulu.example/d", available_until=NOW)
    dune = attrs.evolve(
        DUNE, availability=(*DUNE.availability, Availability("max", "GB", "https://max.example/gb"), gone)
    )
    await adapters.catalog.upsert_many([dune, SHOW])
    payloads = await adapters.items.payloads([dune.id, SHOW.id])
    assert payloads[dune.id] == ItemPayload(
        kind="movie",
        genres=("science-fiction", "adventure"),
        platforms=("max", "netflix"),
        regions=("GB", "US"),
        offers=("max:GB", "max:US", "netflix:US"),
    )
    assert payloads[SHOW.id].kind == "series" and payloads[SHOW.id].offers == ("max:US",)


async def test_the_viewer_directory_knows_accounts_only(adapters: ServingAdapters) -> None:
    user_id = await adapters.viewer()
    assert await adapters.viewers.exists(user_id) and not await adapters.viewers.exists(uuid.uuid4())
