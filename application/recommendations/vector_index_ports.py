"""The vector index: each model version's item and viewer vectors, and the queries serving needs.

Item vectors rank items for a viewer by dot product (what ALS optimises); the same vectors
normalised answer item-item and viewer-viewer questions by cosine. Item payloads (kind, genres,
where it is offered) filter inside the query, so a filtered answer is still a full page.

A version is written once (``prepare`` .. ``seal``) by one trainer; readers may query it only
after ``seal``. A sealed version changes only by ``update_viewer`` (the incremental update),
which every process's next read sees."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol
from uuid import UUID

from attrs import field, frozen


class VectorIndexUnavailable(Exception):
    """The index cannot answer now (a Qdrant server down, its breaker open): serve popularity."""


@frozen
class ItemPayload:
    kind: str  # movie or series (episodes roll up to their series)
    genres: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()  # "<platform>:<region>", so platform and region filter together


@frozen
class VectorPoint:
    id: UUID
    vector: Sequence[float]
    payload: ItemPayload | None = None  # items only


@frozen
class ItemFilter:
    """Which items may be answered: every given condition holds, and none of ``exclude``."""

    kind: str | None = None
    platform: str | None = None
    region: str | None = None
    genres_any: tuple[str, ...] = ()
    exclude: frozenset[UUID] = field(factory=frozenset)


@frozen
class Scored:
    id: UUID
    score: float


class VectorIndex(Protocol):
    async def prepare(self, version: int, dimensions: int) -> None:
        """Make the version's empty item and viewer collections (replacing what a failed try left)."""

    async def write_items(self, version: int, points: Sequence[VectorPoint]) -> None: ...

    async def write_viewers(self, version: int, points: Sequence[VectorPoint]) -> None: ...

    async def seal(self, version: int) -> None:
        """Every vector is written and durable; from now on any process may read the version."""

    async def drop(self, version: int) -> None:
        """Delete the version's vectors (a retired or failed version); nothing if it has none."""

    async def rank_items(self, version: int, query: Sequence[float], where: ItemFilter, limit: int) -> list[Scored]:
        """Items by dot product with ``query``, best first."""

    async def similar_items(self, version: int, item_id: UUID, where: ItemFilter, limit: int) -> list[Scored] | None:
        """Items by cosine with the item's vector, best first, the item itself left out;
        None when the version does not know the item."""

    async def similar_viewers(self, version: int, user_id: UUID, limit: int) -> list[Scored] | None:
        """Viewers by cosine with the viewer's vector, the viewer left out; None for an unknown viewer."""

    async def viewer_vector(self, version: int, user_id: UUID) -> Sequence[float] | None: ...

    async def update_viewer(self, version: int, point: VectorPoint) -> None:
        """Replace (or add) one viewer's vector in a sealed version, for every process's next read."""

    async def closest_among(
        self, version: int, items: Sequence[UUID], among: Sequence[UUID], per_item: int
    ) -> Mapping[UUID, list[Scored]]:
        """For each of ``items``, the ``per_item`` of ``among`` nearest by cosine (best first);
        ids the version does not know are left out on either side."""

    async def count(self, version: int) -> tuple[int, int]:
        """How many (items, viewers) the version holds."""
