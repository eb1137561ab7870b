"""The worker's schedule: train the first model once any history exists; after that, retrain when
the interval has passed since the model in use was trained and enough histories or ratings
changed since."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from application.recommendations.interaction_ports import InteractionHistory
from application.recommendations.model_ports import ModelRegistry
from application.recommendations.train_model import TrainModel
from application.shared.ports import Clock
from domain.recommendations.models import ModelVersion

_BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


class RetrainWhenDue:
    def __init__(
        self,
        *,
        registry: ModelRegistry,
        history: InteractionHistory,
        train: TrainModel,
        clock: Clock,
        interval_seconds: int,
        min_changes: int,
    ) -> None:
        self._registry = registry
        self._history = history
        self._train = train
        self._clock = clock
        self._interval = timedelta(seconds=interval_seconds)
        self._min_changes = min_changes

    async def __call__(self) -> ModelVersion | None:
        """The version trained now, or None when none was due (or nothing could be trained)."""
        model = await self._registry.in_use()
        if model is None:
            if await self._history.changes_since(_BEGINNING) == 0:
                return None
        elif (
            self._clock.now() - model.started_at < self._interval
            or await self._history.changes_since(model.started_at) < self._min_changes
        ):
            return None
        return await self._train()
