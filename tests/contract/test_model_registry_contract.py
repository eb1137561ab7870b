"""One contract for the model registry (versions, the one in use, artifacts): in memory and on
PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from adapters.recommendations.in_memory_model_registry import InMemoryModelRegistry
from adapters.recommendations.postgres_model_registry import PostgresModelRegistry
from domain.recommendations.models import AlsParameters, ModelState

NOW = datetime(2026, 6, 1, 21, 0, tzinfo=UTC)
PARAMETERS = AlsParameters(factors=8, regularization=0.1, alpha=3.0, iterations=4, random_state=7)


@pytest.fixture(params=["in-memory", "postgres"])
def registry(request: pytest.FixtureRequest) -> Any:
    if request.param == "in-memory":
        return InMemoryModelRegistry()
    return PostgresModelRegistry(request.getfixturevalue("engine"))


async def test_nothing_is_in_use_before_the_first_training(registry: Any) -> None:
    assert await registry.in_use() is None
    assert await registry.versions(10) == []


async def test_a_begun_version_is_numbered_next_and_not_in_use_until_finished(registry: Any) -> None:
    first = await registry.begin(PARAMETERS, NOW)
    second = await registry.begin(AlsParameters(), NOW + timedelta(minutes=1))
    assert (first.version, second.version) == (1, 2)
    assert first.state is ModelState.TRAINING and first.parameters == PARAMETERS
    assert await registry.in_use() is None
    assert [v.version for v in await registry.versions(10)] == [2, 1]


async def test_finishing_stores_the_artifact_and_counts_and_puts_the_version_in_use(registry: Any) -> None:
    begun = await registry.begin(PARAMETERS, NOW)
    done = attrs.evolve(
        begun,
        ready_at=NOW + timedelta(minutes=2),
        viewers=3,
        items=5,
        interactions=9,
        fit_seconds=1.5,
        total_seconds=4.0,
    )
    await registry.finish(done, b"\x00factors")
    assert await registry.in_use() == attrs.evolve(done, state=ModelState.READY)
    assert await registry.artifact(begun.version) == b"\x00factors"


async def test_finishing_a_new_version_retires_the_one_in_use(registry: Any) -> None:
    old = await registry.begin(PARAMETERS, NOW)
    await registry.finish(attrs.evolve(old, ready_at=NOW), b"old")
    new = await registry.begin(PARAMETERS, NOW + timedelta(hours=1))
    await registry.finish(attrs.evolve(new, ready_at=NOW + timedelta(hours=1)), b"new")
    in_use = await registry.in_use()
    assert in_use is not None and in_use.version == new.version
    states = {v.version: v.state for v in await registry.versions(10)}
    assert states == {old.version: ModelState.RETIRED, new.version: ModelState.READY}
    assert await registry.artifact(old.version) == b"old"  # kept until forgotten


async def test_a_failed_version_is_never_in_use_and_a_finished_one_cannot_fail(registry: Any) -> None:
    done = await registry.begin(PARAMETERS, NOW)
    await registry.finish(attrs.evolve(done, ready_at=NOW), b"a")
    failed = await registry.begin(PARAMETERS, NOW)
    await registry.fail(failed.version)
    await registry.fail(done.version)
    states = {v.version: v.state for v in await registry.versions(10)}
    assert states == {done.version: ModelState.READY, failed.version: ModelState.FAILED}


async def test_forgotten_versions_lose_their_artifacts(registry: Any) -> None:
    version = await registry.begin(PARAMETERS, NOW)
    await registry.finish(attrs.evolve(version, ready_at=NOW), b"a")
    await registry.forget([version.version])
    assert await registry.artifact(version.version) is None
    assert await registry.versions(1) != []


async def test_trainers_beginning_at_once_get_distinct_numbers(registry: Any) -> None:
    begun = await asyncio.gather(*(registry.begin(PARAMETERS, NOW) for _ in range(5)))
    assert sorted(v.version for v in begun) == [1, 2, 3, 4, 5]
