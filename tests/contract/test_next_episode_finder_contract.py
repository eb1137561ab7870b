"""One contract for the catalog's next-episode finder (playback's ``NextEpisodeFinder`` port):
the in-memory fake and PostgreSQL both pass it."""

from __future__ import annotations

import uuid
from typing import Any

import attrs
import pytest

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.catalog.in_memory_next_episode_finder import InMemoryNextEpisodeFinder
from adapters.catalog.postgres_content_repository import PostgresContentRepository
from adapters.catalog.postgres_next_episode_finder import PostgresNextEpisodeFinder
from application.playback.next_episode_ports import NextEpisodeFinder
from tests.support.catalog_fixtures import movie, series_with_episodes

DUNE = movie("Dune")
SERIES, EP1, EP2, EP3 = series_with_episodes("Stranger Signals", episodes=3)
NEXT_SEASON = attrs.evolve(EP1, id=uuid.uuid4(), title="Stranger Signals: Season 2, Chapter 1", season_number=2)


@pytest.fixture(params=["in-memory", "postgres"])
def adapters(request: pytest.FixtureRequest) -> tuple[Any, NextEpisodeFinder]:
    if request.param == "in-memory":
        catalog = InMemoryCatalog()
        return catalog, InMemoryNextEpisodeFinder(catalog)
    engine = request.getfixturevalue("engine")
    return PostgresContentRepository(engine), PostgresNextEpisodeFinder(engine)


@pytest.fixture
async def finder(adapters: tuple[Any, NextEpisodeFinder]) -> NextEpisodeFinder:
    catalog, found = adapters
    await catalog.upsert_many([DUNE, SERIES, NEXT_SEASON, EP3, EP1, EP2])
    return found


async def test_the_next_episode_follows_in_season_order(finder: NextEpisodeFinder) -> None:
    assert (await finder.next_episode(EP1)).id == EP2.id
    assert (await finder.next_episode(EP2)).id == EP3.id
    assert (await finder.next_episode(EP3)).id == NEXT_SEASON.id
    assert await finder.next_episode(NEXT_SEASON) is None
    assert await finder.next_episode(DUNE) is None
