"""/health/aggregate's search-index:lag in the fake world, with search on the index."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from domain.operations.health import HealthAnswer, HealthStatus, Reading
from entrypoints.catalog_search_config import CatalogSearchSettings
from tests.support.apps import FakeWorld, fake_container
from tests.support.catalog_fixtures import movie, small_catalog


@pytest.fixture
def world(tmp_path: Path) -> FakeWorld:
    return fake_container(tmp_path, catalog_search=CatalogSearchSettings(engine="tantivy", lag_warn_seconds=10))


async def _reading(world: FakeWorld) -> Reading:
    world.clock.advance(timedelta(seconds=5))  # past the round's cache
    answer: HealthAnswer = await world.container.health.aggregate_health()()
    (reading,) = [r for r in answer.report.readings if r.key == "search-index:lag"]
    return reading


async def test_the_index_lag_warns_until_built_and_when_changes_wait_past_the_bound(world: FakeWorld) -> None:
    await world.catalog.upsert_many(small_catalog())
    missing = await _reading(world)
    assert missing.status is HealthStatus.WARN and "searches use PostgreSQL" in (missing.output or "")

    await world.container.catalog.rebuild_search_index()()
    await _reading(world)
    in_step = await _reading(world)  # a change of status is reported once two rounds agree
    assert (in_step.status, in_step.observed_value, in_step.details["changes"]) == (HealthStatus.PASS, 0.0, 0)

    dune = next(item for item in small_catalog() if item.title == "Dune")
    await world.catalog.upsert_many([attrs.evolve(dune, synopsis="Spice."), movie("Arrival")])
    world.clock.advance(timedelta(seconds=7))
    await _reading(world)
    behind = await _reading(world)  # the changes have waited 12 s then 17 s
    assert behind.status is HealthStatus.WARN and behind.details["changes"] == 2
    assert behind.observed_value == 17.0 and "2 changed titles wait" in (behind.output or "")

    assert await world.container.catalog.sync_search_index()() == 2
    await _reading(world)
    assert (await _reading(world)).status is HealthStatus.PASS
