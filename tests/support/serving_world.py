"""The serving use cases on in-memory adapters, with a small catalog of two tastes (science
fiction along one axis of a 2-d model, romance along the other) and helpers to train a version by
hand (its vectors written straight into the index), to give viewers a history and completions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

import attrs

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.playback.in_memory_progress_archive import InMemoryProgressArchive
from adapters.recommendations.in_memory_item_catalog import InMemoryItemCatalog
from adapters.recommendations.in_memory_model_registry import InMemoryModelRegistry
from adapters.recommendations.in_memory_popular_titles import InMemoryPopularTitles
from adapters.recommendations.in_memory_vector_index import InMemoryVectorIndex
from adapters.shared.manual_clock import ManualClock
from application.recommendations.model_in_use import ModelInUse
from application.recommendations.recommend_for_viewer import RecommendForViewer
from application.recommendations.recommend_similar import RecommendSimilar
from application.recommendations.vector_index_ports import VectorPoint
from domain.catalog.content import Availability, Content
from domain.playback.progress import WatchProgress
from domain.recommendations.interactions import Interaction, TitleSignals
from domain.recommendations.models import AlsParameters
from tests.support.catalog_fixtures import movie, series_with_episodes

SCI_FI = [movie(f"Star {n}", genres=("science-fiction",), platforms=("netflix",)) for n in range(4)]
ROMANCE = [movie(f"Love {n}", genres=("romance",), platforms=("max",)) for n in range(4)]
SHOW, EP1, EP2, EP3 = series_with_episodes("Stranger Signals")  # science fiction, on max
# 2-d factors: science fiction along x (Star 0 the most), romance along y; the series between.
ITEM_VECTORS: dict[UUID, tuple[float, float]] = {
    **{m.id: (4.0 - n * 0.5, 0.2 * n) for n, m in enumerate(SCI_FI)},
    **{m.id: (0.2 * n, 4.0 - n * 0.5) for n, m in enumerate(ROMANCE)},
    SHOW.id: (2.0, 1.5),
}
SCI_FI_FAN = (1.0, 0.1)
ROMANTIC = (0.1, 1.0)


class FakeInteractionHistory:
    """The one part of InteractionHistory serving reads: a viewer's interactions."""

    def __init__(self) -> None:
        self.by_viewer: dict[UUID, list[Interaction]] = {}

    async def viewer_interactions(self, user_id: UUID) -> list[Interaction]:
        return list(self.by_viewer.get(user_id, []))


@attrs.define
class ServingWorld:
    clock: ManualClock = attrs.Factory(ManualClock)
    catalog: InMemoryCatalog = attrs.Factory(InMemoryCatalog)
    archive: InMemoryProgressArchive = attrs.Factory(InMemoryProgressArchive)
    index: InMemoryVectorIndex = attrs.Factory(InMemoryVectorIndex)
    registry: InMemoryModelRegistry = attrs.Factory(InMemoryModelRegistry)
    history: FakeInteractionHistory = attrs.Factory(FakeInteractionHistory)
    ttl: timedelta = timedelta(seconds=1)
    max_limit: int = 100

    def __attrs_post_init__(self) -> None:
        for item in [*SCI_FI, *ROMANCE, SHOW, EP1, EP2, EP3]:
            self.catalog.put(item)

    @property
    def items(self) -> InMemoryItemCatalog:
        return InMemoryItemCatalog(self.catalog, self.clock)

    @property
    def popular(self) -> InMemoryPopularTitles:
        return InMemoryPopularTitles(self.archive, self.catalog, self.clock, days=30)

    def model_in_use(self) -> ModelInUse:
        return ModelInUse(self.registry, self.clock, self.ttl)

    def recommend_for_viewer(self, model_in_use: ModelInUse | None = None, index: object = None) -> RecommendForViewer:
        return RecommendForViewer(
            model_in_use=model_in_use or self.model_in_use(),
            index=index or self.index,  # type: ignore[arg-type]
            history=self.history,  # type: ignore[arg-type]
            catalog=self.items,
            popular=self.popular,
            max_limit=self.max_limit,
        )

    def recommend_similar(self, index: object = None) -> RecommendSimilar:
        return RecommendSimilar(
            model_in_use=self.model_in_use(),
            index=index or self.index,  # type: ignore[arg-type]
            catalog=self.items,
            popular=self.popular,
            max_limit=self.max_limit,
        )

    async def train(
        self,
        viewers: dict[UUID, Sequence[float]],
        items: dict[UUID, tuple[float, float]] | None = None,
    ) -> int:
        """A READY version holding these vectors (the catalog's payloads on its items)."""
        chosen = ITEM_VECTORS if items is None else items
        version = await self.registry.begin(AlsParameters(factors=2), self.clock.now())
        await self.index.prepare(version.version, 2)
        payloads = await self.items.payloads(list(chosen))
        await self.index.write_items(
            version.version, [VectorPoint(i, v, payloads.get(i)) for i, v in chosen.items() if i in payloads]
        )
        await self.index.write_viewers(version.version, [VectorPoint(u, v) for u, v in viewers.items()])
        await self.index.seal(version.version)
        await self.registry.finish(version, b"")
        return version.version

    def watched(self, user_id: UUID, item: Content, **signals: object) -> None:
        self.history.by_viewer.setdefault(user_id, []).append(
            Interaction(user_id, item.id, TitleSignals(**signals))  # type: ignore[arg-type]
        )

    def completed_by(self, item: Content, viewers: int, days_ago: int = 1) -> None:
        """``viewers`` new viewers finished ``item`` ``days_ago``."""
        for _ in range(viewers):
            user_id = uuid.uuid4()
            self.archive.state.progress[(user_id, item.id)] = WatchProgress(
                user_id=user_id,
                content_id=item.id,
                position_seconds=7000,
                duration_seconds=7200,
                device_id="tv",
                session_id="s",
                sequence=1,
                server_order=1,
                updated_at=self.clock.now() - timedelta(days=days_ago),
                completed=True,
            )


def offered_only_in(item: Content, platform: str, region: str) -> Content:
    return attrs.evolve(item, availability=(Availability(platform, region, f"https://{platform}.example/x"),))
