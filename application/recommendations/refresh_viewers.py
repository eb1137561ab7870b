"""The incremental update: a viewer's vector in the model in use, recomputed from their whole
history against that version's item factors (no retraining). A viewer the model never saw gets a
vector the same way; one whose history holds none of the model's items keeps what they had."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from application.recommendations.interaction_ports import InteractionHistory
from application.recommendations.model_ports import ModelRegistry, ViewerFolding
from application.recommendations.vector_index_ports import VectorIndex, VectorPoint
from domain.recommendations.interactions import ConfidenceWeights

DEFAULT_WEIGHTS = ConfidenceWeights()


class RefreshViewers:
    def __init__(
        self,
        *,
        registry: ModelRegistry,
        history: InteractionHistory,
        folding: ViewerFolding,
        index: VectorIndex,
        weights: ConfidenceWeights = DEFAULT_WEIGHTS,
    ) -> None:
        self._registry = registry
        self._history = history
        self._folding = folding
        self._index = index
        self._weights = weights

    async def __call__(self, user_ids: Sequence[UUID]) -> int:
        """How many viewers' vectors were written (0 before the first training)."""
        model = await self._registry.in_use()
        if model is None:
            return 0
        updated = 0
        for user_id in dict.fromkeys(user_ids):
            interactions = await self._history.viewer_interactions(user_id)
            strengths = [(i.item_id, s) for i in interactions if (s := i.strength(self._weights)) > 0]
            vector = await self._folding.fold_in(model.version, strengths) if strengths else None
            if vector is not None:
                await self._index.update_viewer(model.version, VectorPoint(id=user_id, vector=vector))
                updated += 1
        return updated
