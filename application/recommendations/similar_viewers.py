"""For administrators (support, debugging): the viewers whose tastes are nearest a viewer's, by
cosine of their vectors in the model in use. Never shown to ordinary viewers."""

from __future__ import annotations

from uuid import UUID

from attrs import frozen

from application.recommendations.catalog_ports import ViewerDirectory
from application.recommendations.model_in_use import ModelInUse
from application.recommendations.results import SimilarViewer, SimilarViewers
from application.recommendations.serving_requests import check_limit
from application.recommendations.vector_index_ports import VectorIndex
from domain.recommendations.errors import UnknownViewer


@frozen
class FindSimilarViewers:
    model_in_use: ModelInUse
    index: VectorIndex
    viewers: ViewerDirectory
    max_limit: int

    async def __call__(self, user_id: UUID, limit: int) -> SimilarViewers:
        check_limit(limit, self.max_limit)
        if not await self.viewers.exists(user_id):
            raise UnknownViewer(f"No account with id {user_id}.")
        model = await self.model_in_use()
        if model is None:
            return SimilarViewers(items=(), model_version=None)
        found = await self.index.similar_viewers(model.version, user_id, limit)
        items = tuple(SimilarViewer(user_id=s.id, score=s.score) for s in found or [])
        return SimilarViewers(items=items, model_version=model.version)
