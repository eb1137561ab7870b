"""One contract for the vector index: the exact in-memory reference, Qdrant's embedded engine
(qdrant-edge, on a temporary root and the real Redis) and the server adapter (qdrant-client's
local mode, through a real breaker) answer the same questions the same way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from qdrant_client import AsyncQdrantClient

from adapters.operations.in_memory_breaker_states import InMemoryBreakerStates
from adapters.operations.purgatory_circuit_breaker import PurgatoryCircuitBreaker
from adapters.recommendations.in_memory_vector_index import InMemoryVectorIndex
from adapters.recommendations.qdrant_edge_vector_index import QdrantEdgeVectorIndex
from adapters.recommendations.qdrant_server_vector_index import QdrantServerVectorIndex
from adapters.shared.system import SystemClock
from application.recommendations.vector_index_ports import (
    ItemFilter,
    ItemPayload,
    VectorIndex,
    VectorIndexUnavailable,
    VectorPoint,
)
from domain.operations.breakers import BreakerPolicies
from entrypoints.containers.recommendations_index import BREAKER_POLICIES

ADAPTERS = ["in-memory", "qdrant-edge", "qdrant-server"]

# Five titles whose dot and cosine orders differ (E is long and close to A's direction).
A, B, C, D, E = (uuid4() for _ in range(5))
ITEMS = [
    VectorPoint(A, (1.0, 0.0, 0.0), ItemPayload("movie", ("sf",), ("netflix",), ("US",), ("netflix:US",))),
    VectorPoint(
        B,
        (0.9, 0.1, 0.0),
        # offered on netflix and in the US, but never on netflix in the US
        ItemPayload("movie", ("sf", "drama"), ("netflix", "hulu"), ("US", "GB"), ("netflix:GB", "hulu:US")),
    ),
    VectorPoint(C, (0.0, 1.0, 0.0), ItemPayload("series", ("romance",), ("hulu",), ("GB",), ("hulu:GB",))),
    VectorPoint(D, (0.5, 0.5, 0.7), ItemPayload("movie", ("drama",), ("disney",), ("FR",), ("disney:FR",))),
    VectorPoint(E, (2.0, 0.0, 0.1), ItemPayload("series", ("sf",), ("netflix",), ("US",), ("netflix:US",))),
]
U1, U2, U3, U4 = (uuid4() for _ in range(4))
VIEWERS = [
    VectorPoint(U1, (1.0, 0.0, 0.0)),
    VectorPoint(U2, (0.8, 0.2, 0.0)),
    VectorPoint(U3, (0.1, 0.0, 1.0)),
    VectorPoint(U4, (0.0, 1.0, 0.05)),
]
EVERYTHING = ItemFilter()


pytestmark = pytest.mark.filterwarnings("ignore:Payload indexes have no effect in the local Qdrant")

Made = InMemoryVectorIndex | QdrantEdgeVectorIndex | QdrantServerVectorIndex


@pytest.fixture(params=ADAPTERS)
def made(request: pytest.FixtureRequest, tmp_path: Path) -> Made:
    if request.param == "in-memory":
        return InMemoryVectorIndex()
    if request.param == "qdrant-edge":
        return QdrantEdgeVectorIndex(tmp_path / "vectors", request.getfixturevalue("redis_client"))
    breakers = PurgatoryCircuitBreaker(BreakerPolicies(BREAKER_POLICIES), InMemoryBreakerStates(), SystemClock())
    return QdrantServerVectorIndex(AsyncQdrantClient(location=":memory:"), breakers)


@pytest.fixture
async def index(made: Made) -> AsyncIterator[VectorIndex]:
    yield made
    await made.close()


async def written(index: VectorIndex, version: int = 1, *, sealed: bool = True) -> VectorIndex:
    await index.prepare(version, 3)
    await index.write_items(version, ITEMS)
    await index.write_viewers(version, VIEWERS)
    if sealed:
        await index.seal(version)
    return index


def ids(scored: list) -> list[UUID]:  # type: ignore[type-arg]
    return [s.id for s in scored]


async def test_items_rank_by_dot_product_best_first(index: VectorIndex) -> None:
    await written(index)
    ranked = await index.rank_items(1, (1.0, 0.0, 0.0), EVERYTHING, 10)
    assert ids(ranked) == [E, A, B, D, C]
    assert [round(s.score, 4) for s in ranked[:3]] == [2.0, 1.0, 0.9]
    assert ids(await index.rank_items(1, (1.0, 0.0, 0.0), EVERYTHING, 2)) == [E, A]


async def test_similar_items_are_by_cosine_and_leave_the_item_out(index: VectorIndex) -> None:
    await written(index)
    similar = await index.similar_items(1, A, EVERYTHING, 10)
    assert similar is not None
    assert ids(similar) == [E, B, D, C]
    assert round(similar[0].score, 3) == 0.999  # cosine, not E's long dot product


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (ItemFilter(kind="series"), [E, C]),
        (ItemFilter(platform="netflix"), [E, A, B]),
        (ItemFilter(region="GB"), [B, C]),
        (ItemFilter(platform="netflix", region="US"), [E, A]),  # B: netflix and US, never together
        (ItemFilter(platform="hulu", region="US"), [B]),
        (ItemFilter(genres_any=("drama", "romance")), [B, D, C]),
        (ItemFilter(kind="movie", genres_any=("sf",)), [A, B]),
        (ItemFilter(exclude=frozenset({E, B})), [A, D, C]),
        (ItemFilter(kind="movie", platform="disney", region="FR", exclude=frozenset({D})), []),
    ],
)
async def test_filters_apply_inside_the_query(index: VectorIndex, where: ItemFilter, expected: list[UUID]) -> None:
    await written(index)
    assert ids(await index.rank_items(1, (1.0, 0.0, 0.0), where, 10)) == expected


async def test_filters_and_exclusions_apply_to_similar_items(index: VectorIndex) -> None:
    await written(index)
    similar = await index.similar_items(1, A, ItemFilter(kind="movie", exclude=frozenset({B})), 10)
    assert similar is not None and ids(similar) == [D]


async def test_a_full_page_when_the_best_matches_are_filtered_out(index: VectorIndex) -> None:
    await written(index)
    assert ids(await index.rank_items(1, (1.0, 0.0, 0.0), ItemFilter(exclude=frozenset({E, A})), 2)) == [B, D]


async def test_unknown_items_and_viewers_are_none(index: VectorIndex) -> None:
    await written(index)
    assert await index.similar_items(1, uuid4(), EVERYTHING, 5) is None
    assert await index.similar_viewers(1, uuid4(), 5) is None
    assert await index.viewer_vector(1, uuid4()) is None


async def test_viewers_by_cosine_leave_the_viewer_out(index: VectorIndex) -> None:
    await written(index)
    similar = await index.similar_viewers(1, U1, 10)
    assert similar is not None and ids(similar) == [U2, U3, U4]
    vector = await index.viewer_vector(1, U3)
    assert vector is not None and [round(x, 5) for x in vector] == [0.1, 0.0, 1.0]  # as written, not normalised


async def test_an_unsealed_version_is_not_readable(index: VectorIndex) -> None:
    await written(index, sealed=False)
    assert await index.rank_items(1, (1.0, 0.0, 0.0), EVERYTHING, 5) == []
    assert await index.similar_items(1, A, EVERYTHING, 5) is None
    assert await index.similar_viewers(1, U1, 5) is None
    assert await index.viewer_vector(1, U1) is None
    assert await index.closest_among(1, [A], [B], 1) == {}
    await index.seal(1)
    assert ids(await index.rank_items(1, (1.0, 0.0, 0.0), EVERYTHING, 1)) == [E]


async def test_prepare_replaces_what_a_failed_try_left(index: VectorIndex) -> None:
    await index.prepare(1, 3)
    await index.write_items(1, ITEMS)
    await index.prepare(1, 3)
    await index.write_items(1, ITEMS[:2])
    await index.seal(1)
    assert await index.count(1) == (2, 0)
    assert ids(await index.rank_items(1, (1.0, 0.0, 0.0), EVERYTHING, 10)) == [A, B]


async def test_an_updated_viewer_is_what_the_next_read_sees(index: VectorIndex) -> None:
    await written(index)
    assert await index.viewer_vector(1, U1) is not None  # read once before, as a serving process would
    await index.update_viewer(1, VectorPoint(U1, (0.0, 1.0, 0.0)))
    vector = await index.viewer_vector(1, U1)
    assert vector is not None and [round(x, 5) for x in vector] == [0.0, 1.0, 0.0]
    similar = await index.similar_viewers(1, U1, 1)
    assert similar is not None and ids(similar) == [U4]


async def test_an_update_adds_a_viewer_the_model_has_never_seen(index: VectorIndex) -> None:
    await written(index)
    newcomer = uuid4()
    await index.update_viewer(1, VectorPoint(newcomer, (0.0, 0.0, 1.0)))
    similar = await index.similar_viewers(1, newcomer, 1)
    assert similar is not None and ids(similar) == [U3]
    assert await index.count(1) == (5, 5)


async def test_closest_among_answers_each_item_from_the_given_ones(index: VectorIndex) -> None:
    await written(index)
    unknown = uuid4()
    closest = await index.closest_among(1, [A, C, unknown], [B, C, D, unknown], 2)
    assert set(closest) == {A, C}
    assert ids(closest[A]) == [B, D]
    assert ids(closest[C]) == [D, B]  # C itself left out
    assert closest[A][0].score > closest[A][1].score


async def test_count_and_drop(index: VectorIndex) -> None:
    await written(index)
    assert await index.count(1) == (5, 4)
    await index.drop(1)
    assert await index.count(1) == (0, 0)
    assert await index.rank_items(1, (1.0, 0.0, 0.0), EVERYTHING, 5) == []
    assert await index.similar_items(1, A, EVERYTHING, 5) is None
    await index.drop(1)  # nothing left: no error
    await index.drop(99)


async def test_two_versions_are_isolated(index: VectorIndex) -> None:
    await written(index, 1)
    other = uuid4()
    await index.prepare(2, 3)
    await index.write_items(2, [VectorPoint(other, (1.0, 0.0, 0.0), ItemPayload("movie"))])
    await index.write_viewers(2, [VectorPoint(U1, (0.0, 0.0, 1.0))])
    await index.seal(2)
    await index.update_viewer(2, VectorPoint(U2, (0.0, 0.0, 1.0)))
    assert ids(await index.rank_items(2, (1.0, 0.0, 0.0), EVERYTHING, 10)) == [other]
    assert ids(await index.rank_items(1, (1.0, 0.0, 0.0), EVERYTHING, 10)) == [E, A, B, D, C]
    v1 = await index.viewer_vector(1, U2)
    assert v1 is not None and [round(x, 5) for x in v1] == [0.8, 0.2, 0.0]
    await index.drop(1)
    assert await index.count(2) == (1, 2)
    assert ids(await index.rank_items(2, (1.0, 0.0, 0.0), EVERYTHING, 10)) == [other]


async def test_a_server_nobody_answers_is_unavailable_through_the_breaker() -> None:
    breakers = PurgatoryCircuitBreaker(BreakerPolicies(BREAKER_POLICIES), InMemoryBreakerStates(), SystemClock())
    # port 9 (discard) on loopback: nothing listens, every connection is refused at once
    index = QdrantServerVectorIndex(AsyncQdrantClient(url="http://127.0.0.1:9", timeout=1), breakers, 1.0)
    try:
        for _ in range(12):  # enough failures to open the breaker
            with pytest.raises(VectorIndexUnavailable):
                await index.rank_items(1, (1.0, 0.0, 0.0), EVERYTHING, 5)
        with pytest.raises(VectorIndexUnavailable, match="breaker is open"):
            await index.similar_items(1, A, EVERYTHING, 5)
    finally:
        await index.close()
