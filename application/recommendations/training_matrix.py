"""Reading every viewer's history into the matrix ALS learns from (strength 0 left out)."""

from __future__ import annotations

from uuid import UUID

from application.recommendations.interaction_ports import InteractionHistory
from application.recommendations.model_ports import TrainingMatrix
from application.recommendations.training_progress_ports import TrainingProgress
from domain.recommendations.interactions import ConfidenceWeights


async def read_training_matrix(
    history: InteractionHistory, batch_size: int, progress: TrainingProgress, weights: ConfidenceWeights
) -> TrainingMatrix:
    user_ids: list[UUID] = []
    item_ids: list[UUID] = []
    strengths: list[float] = []
    async for batch in history.every_interaction(batch_size):
        for interaction in batch:
            value = interaction.strength(weights)
            if value > 0:
                user_ids.append(interaction.user_id)
                item_ids.append(interaction.item_id)
                strengths.append(value)
        progress.advance(len(batch))
    return TrainingMatrix(user_ids=user_ids, item_ids=item_ids, strengths=strengths)
