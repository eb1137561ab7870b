"""Titles watched by the same viewers as a title (item-item cosine in the model in use); popular
titles sharing a genre with it when the model does not know it yet (a title newer than the last
training) or cannot answer. An episode is asked about as its series."""

from __future__ import annotations

import logging
from uuid import UUID

from attrs import frozen

from application.recommendations.catalog_ports import ItemCatalog, PopularTitles
from application.recommendations.model_in_use import ModelInUse
from application.recommendations.recommend_for_viewer import popular_answer
from application.recommendations.results import Recommendations, RecommendationSource, RecommendedTitle
from application.recommendations.serving_requests import check_limit, spare
from application.recommendations.vector_index_ports import ItemFilter, VectorIndex, VectorIndexUnavailable
from domain.catalog.content import ContentKind
from domain.recommendations.errors import TitleNotFound

log = logging.getLogger(__name__)


@frozen
class RecommendSimilar:
    model_in_use: ModelInUse
    index: VectorIndex
    catalog: ItemCatalog
    popular: PopularTitles
    max_limit: int

    async def __call__(self, content_id: UUID, limit: int) -> Recommendations:
        check_limit(limit, self.max_limit)
        item_id = await self._item_of(content_id)
        where = ItemFilter(exclude=frozenset({item_id}))
        model = await self.model_in_use()
        if model is not None:
            try:
                similar = await self.index.similar_items(model.version, item_id, where, spare(limit))
            except VectorIndexUnavailable as error:
                log.warning("vector index unavailable, serving popular titles", extra={"error": str(error)})
                similar = None
            if similar:
                contents = await self.catalog.contents([s.id for s in similar])
                picks = [RecommendedTitle(content=contents[s.id], score=s.score) for s in similar if s.id in contents]
                return Recommendations(
                    items=tuple(picks[:limit]), source=RecommendationSource.ALS, model_version=model.version
                )
        return await popular_answer(self.catalog, await self.popular.popular_like(item_id, where, spare(limit)), limit)

    async def _item_of(self, content_id: UUID) -> UUID:
        """The recommended item a title is: itself, or an episode's series."""
        found = (await self.catalog.contents([content_id])).get(content_id)
        if found is None:
            raise TitleNotFound(f"No content with id {content_id}.")
        if found.kind is ContentKind.EPISODE and found.series_id is not None:
            return found.series_id
        return found.id
