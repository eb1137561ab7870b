"""The implicit ALS factoriser and the viewer folding over its artifact (pure CPU adapters used
in both worlds): two taste clusters are learnt, and a viewer folded in later lands in theirs."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import attrs
import pytest

from adapters.recommendations.implicit_als_factoriser import ImplicitAlsFactoriser
from adapters.recommendations.implicit_viewer_folding import ImplicitViewerFolding
from adapters.recommendations.in_memory_model_registry import InMemoryModelRegistry
from application.recommendations.model_ports import FittedModel, TrainingMatrix
from domain.recommendations.models import AlsParameters

PARAMETERS = AlsParameters(factors=2, regularization=0.05, alpha=2.0, iterations=10, random_state=0)
SCIFI = [uuid.uuid4() for _ in range(6)]
ROMANCE = [uuid.uuid4() for _ in range(6)]


def two_tastes(viewers_each: int = 15) -> tuple[TrainingMatrix, list[uuid.UUID], list[uuid.UUID]]:
    """Viewers who finish science fiction, and viewers who finish romances (each skips one, which
    the model, with two factors only, must still rank with their taste)."""
    users, items, strengths = [], [], []
    fans = {
        "scifi": [uuid.uuid4() for _ in range(viewers_each)],
        "romance": [uuid.uuid4() for _ in range(viewers_each)],
    }
    for taste, titles in (("scifi", SCIFI), ("romance", ROMANCE)):
        for n, viewer in enumerate(fans[taste]):
            for title in titles[: n % len(titles)] + titles[n % len(titles) + 1 :]:
                users.append(viewer)
                items.append(title)
                strengths.append(2.0)
    return TrainingMatrix(users, items, strengths), fans["scifi"], fans["romance"]


def vectors_of(batches: Sequence[object]) -> dict[uuid.UUID, list[float]]:
    return {i: list(v) for b in batches for i, v in zip(b.ids, b.vectors, strict=True)}  # type: ignore[attr-defined]


def dot(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def prefers(viewer: Sequence[float], items: dict[uuid.UUID, list[float]], liked: list[uuid.UUID]) -> bool:
    """Every liked title scores above every other one."""
    others = [v for i, v in items.items() if i not in liked]
    return min(dot(viewer, items[i]) for i in liked) > max(dot(viewer, v) for v in others)


@pytest.fixture(scope="module")
async def fitted() -> tuple[FittedModel, list[uuid.UUID], list[uuid.UUID]]:
    matrix, scifi_fans, romance_fans = two_tastes()
    return await ImplicitAlsFactoriser().fit(matrix, PARAMETERS), scifi_fans, romance_fans


async def folding_of(model: FittedModel, version: int = 1) -> ImplicitViewerFolding:
    registry = InMemoryModelRegistry()
    for _ in range(version):
        begun = await registry.begin(PARAMETERS, datetime.now(UTC))
    await registry.finish(attrs.evolve(begun, ready_at=begun.started_at), model.artifact())
    return ImplicitViewerFolding(registry)


async def test_the_fit_has_one_vector_per_viewer_and_item_of_the_asked_size(fitted: tuple) -> None:
    model, scifi_fans, romance_fans = fitted
    assert (model.dimensions, model.viewer_count, model.item_count) == (2, 30, 12)
    viewers = vectors_of(list(model.viewer_batches(7)))
    assert set(viewers) == set(scifi_fans + romance_fans)
    assert {len(v) for v in viewers.values()} == {2}


async def test_viewers_of_each_taste_rank_their_own_titles_first(fitted: tuple) -> None:
    model, scifi_fans, romance_fans = fitted
    items, viewers = vectors_of(list(model.item_batches(5))), vectors_of(list(model.viewer_batches(100)))
    assert all(prefers(viewers[v], items, SCIFI) for v in scifi_fans)
    assert all(prefers(viewers[v], items, ROMANCE) for v in romance_fans)


async def test_a_viewer_the_model_never_saw_is_folded_into_their_taste(fitted: tuple) -> None:
    model = fitted[0]
    folding = await folding_of(model)
    vector = await folding.fold_in(1, [(SCIFI[0], 2.0), (SCIFI[1], 2.0), (SCIFI[2], 2.0)])
    assert vector is not None and len(vector) == 2
    assert prefers(vector, vectors_of(list(model.item_batches(100))), SCIFI)


async def test_folding_a_known_viewer_in_again_keeps_their_taste(fitted: tuple) -> None:
    model = fitted[0]
    folding = await folding_of(model)
    # the first romance fan's whole history (they skipped the first title)
    vector = await folding.fold_in(1, [(title, 2.0) for title in ROMANCE[1:]])
    assert vector is not None
    assert prefers(vector, vectors_of(list(model.item_batches(100))), ROMANCE)


async def test_nothing_to_fold_without_an_item_the_version_knows(fitted: tuple) -> None:
    folding = await folding_of(fitted[0])
    assert await folding.fold_in(1, [(uuid.uuid4(), 3.0)]) is None
    assert await folding.fold_in(2, [(SCIFI[0], 3.0)]) is None  # a version without an artifact


async def test_the_same_matrix_and_seed_fit_the_same_factors() -> None:
    matrix = two_tastes()[0]
    first = await ImplicitAlsFactoriser().fit(matrix, PARAMETERS)
    second = await ImplicitAlsFactoriser().fit(matrix, PARAMETERS)
    again = vectors_of(list(second.item_batches(100)))
    assert all(
        vector == pytest.approx(again[item]) for item, vector in vectors_of(list(first.item_batches(100))).items()
    )
