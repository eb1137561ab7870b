"""A small world for the training use cases: a catalog of science fiction and romances, the
in-memory archive, ratings and registry, the in-memory index, and the real (pure CPU) factoriser
and folding; viewers finish titles by archiving completed watch events."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from itertools import count

import attrs

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.playback.in_memory_progress_archive import InMemoryProgressArchive
from adapters.recommendations.implicit_als_factoriser import ImplicitAlsFactoriser
from adapters.recommendations.implicit_viewer_folding import ImplicitViewerFolding
from adapters.recommendations.in_memory_interaction_history import InMemoryInteractionHistory
from adapters.recommendations.in_memory_model_registry import InMemoryModelRegistry
from adapters.recommendations.in_memory_rating_repository import InMemoryRatingRepository
from adapters.recommendations.in_memory_vector_index import InMemoryVectorIndex
from adapters.shared.manual_clock import ManualClock
from application.playback.progress_archive_ports import WatchEvent
from application.recommendations.refresh_viewers import RefreshViewers
from application.recommendations.train_model import TrainModel
from application.recommendations.vector_index_ports import ItemFilter, ItemPayload
from domain.catalog.content import Content
from domain.recommendations.models import AlsParameters
from tests.support.catalog_fixtures import movie

SCIFI = [movie(f"Star Voyage {n}", genres=("science-fiction",)) for n in range(6)]
ROMANCE = [movie(f"Paris Hearts {n}", genres=("romance",)) for n in range(6)]
SMALL = AlsParameters(factors=2, regularization=0.05, alpha=2.0, iterations=10, random_state=0)
_changes = count()


class OfferedItems:
    """The ItemCatalog's ``payloads`` over the in-memory catalog: kind and genres of every
    title not withdrawn (``contents`` is serving's, not training's)."""

    def __init__(self, catalog: InMemoryCatalog) -> None:
        self.catalog = catalog
        self.withdrawn: set[uuid.UUID] = set()

    async def payloads(self, item_ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, ItemPayload]:
        found = [await self.catalog.get(i) for i in item_ids]
        return {
            c.id: ItemPayload(kind=c.kind.value, genres=c.genres)
            for c in found
            if c is not None and c.id not in self.withdrawn
        }

    async def contents(self, item_ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, Content]:
        raise NotImplementedError


@attrs.define
class TrainingWorld:
    clock: ManualClock = attrs.Factory(lambda: ManualClock(datetime(2026, 6, 1, 20, 0, tzinfo=UTC)))
    catalog: InMemoryCatalog = attrs.Factory(InMemoryCatalog)
    archive: InMemoryProgressArchive = attrs.Factory(InMemoryProgressArchive)
    ratings: InMemoryRatingRepository = attrs.Factory(InMemoryRatingRepository)
    registry: InMemoryModelRegistry = attrs.Factory(InMemoryModelRegistry)
    index: InMemoryVectorIndex = attrs.Factory(InMemoryVectorIndex)
    items: OfferedItems = attrs.field(init=False)
    history: InMemoryInteractionHistory = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        for title in SCIFI + ROMANCE:
            self.catalog.put(title)
        self.items = OfferedItems(self.catalog)
        self.history = InMemoryInteractionHistory(self.archive, self.ratings, self.catalog)

    def train_model(self, parameters: AlsParameters = SMALL, batch_size: int = 4) -> TrainModel:
        return TrainModel(
            registry=self.registry,
            history=self.history,
            factoriser=ImplicitAlsFactoriser(),
            index=self.index,
            items=self.items,
            clock=self.clock,
            parameters=parameters,
            batch_size=batch_size,
        )

    def refresh_viewers(self) -> RefreshViewers:
        return RefreshViewers(
            registry=self.registry, history=self.history, folding=ImplicitViewerFolding(self.registry), index=self.index
        )

    async def finishes(self, viewer: uuid.UUID, *titles: Content) -> None:
        now = self.clock.now()
        await self.archive.write(
            [], [WatchEvent(viewer, t.id, 7000, 97.0, True, "tv", now, f"{next(_changes)}-0") for t in titles]
        )

    async def two_taste_clusters(self, each: int = 10) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
        """Viewers who finish science fiction and viewers who finish romances (each skips one)."""
        fans: list[list[uuid.UUID]] = [[], []]
        for taste, titles in enumerate((SCIFI, ROMANCE)):
            for n in range(each):
                viewer = uuid.uuid4()
                await self.finishes(viewer, *[t for i, t in enumerate(titles) if i != n % len(titles)])
                fans[taste].append(viewer)
        return fans[0], fans[1]

    async def top_genres(self, version: int, viewer: uuid.UUID, limit: int = 3) -> list[str]:
        vector = await self.index.viewer_vector(version, viewer)
        assert vector is not None
        ranked = await self.index.rank_items(version, vector, ItemFilter(), limit)
        return [(await self.catalog.get(s.id)).genres[0] for s in ranked]  # type: ignore[union-attr]
