"""A viewer's personal picks: ALS scores from the model in use, with the titles they watched that
explain each pick; popularity when the model cannot answer (say so in ``source``).

One version is pinned for the whole request: the viewer's vector, the ranking and the reasons all
come from it, even if a new version becomes the one in use meanwhile."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from uuid import UUID

from attrs import frozen

from application.recommendations.catalog_ports import ItemCatalog, PopularTitles
from application.recommendations.interaction_ports import InteractionHistory
from application.recommendations.model_in_use import ModelInUse
from application.recommendations.results import (
    RecommendationRequest,
    Recommendations,
    RecommendationSource,
    RecommendedTitle,
)
from application.recommendations.serving_requests import check_kind, check_limit, spare
from application.recommendations.vector_index_ports import ItemFilter, Scored, VectorIndex, VectorIndexUnavailable
from domain.recommendations.interactions import Interaction

log = logging.getLogger(__name__)

REASONS_PER_PICK = 2


@frozen
class RecommendForViewer:
    model_in_use: ModelInUse
    index: VectorIndex
    history: InteractionHistory
    catalog: ItemCatalog
    popular: PopularTitles
    max_limit: int

    async def __call__(self, user_id: UUID, request: RecommendationRequest) -> Recommendations:
        check_limit(request.limit, self.max_limit)
        check_kind(request.kind)
        # independent reads, side by side: the viewer's history (exclusions, reasons) and the version in use
        interactions, model = await asyncio.gather(self.history.viewer_interactions(user_id), self.model_in_use())
        where = ItemFilter(
            kind=request.kind,
            platform=request.platform,
            region=request.region,
            exclude=frozenset(i.item_id for i in interactions if i.excluded),
        )
        if model is not None:
            try:
                personal = await self._personal(model.version, user_id, interactions, where, request.limit)
            except VectorIndexUnavailable as error:
                log.warning("vector index unavailable, serving popular titles", extra={"error": str(error)})
                personal = None
            if personal is not None:
                return personal
        return await self._popular(where, request.limit)

    async def _personal(
        self, version: int, user_id: UUID, interactions: Sequence[Interaction], where: ItemFilter, limit: int
    ) -> Recommendations | None:
        """None when this version cannot answer: it has no vector for the viewer, or no items."""
        vector = await self.index.viewer_vector(version, user_id)
        if vector is None:
            return None
        ranked = await self.index.rank_items(version, vector, where, spare(limit))
        if not ranked:
            return None
        watched = [i.item_id for i in interactions if i.strength() > 0]
        ranked_ids = [s.id for s in ranked]
        reasons = await self.index.closest_among(version, ranked_ids, watched, REASONS_PER_PICK) if watched else {}
        # the picks and only the watched titles named as reasons (a long history is not read whole)
        named = {r.id for found in reasons.values() for r in found}
        contents = await self.catalog.contents([*ranked_ids, *named])
        picks = [
            RecommendedTitle(
                content=contents[s.id],
                score=s.score,
                because=tuple(contents[r.id] for r in reasons.get(s.id, []) if r.id in contents),
            )
            for s in ranked
            if s.id in contents
        ][:limit]
        return Recommendations(items=tuple(picks), source=RecommendationSource.ALS, model_version=version)

    async def _popular(self, where: ItemFilter, limit: int) -> Recommendations:
        return await popular_answer(self.catalog, await self.popular.popular(where, spare(limit)), limit)


async def popular_answer(catalog: ItemCatalog, scored: Sequence[Scored], limit: int) -> Recommendations:
    """Popular titles as an answer: score is how many viewers finished the title lately."""
    contents = await catalog.contents([s.id for s in scored])
    picks = [RecommendedTitle(content=contents[s.id], score=s.score) for s in scored if s.id in contents][:limit]
    return Recommendations(items=tuple(picks), source=RecommendationSource.POPULAR, model_version=None)
