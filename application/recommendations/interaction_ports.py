"""The evidence recommendations learn from: watch history (playback) and ratings, per viewer and item."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.recommendations.interactions import Interaction
from domain.recommendations.ratings import Rating


class InteractionHistory(Protocol):
    def every_interaction(self, batch_size: int) -> AsyncIterator[Sequence[Interaction]]:
        """Every viewer's interactions, episodes rolled up to their series, in batches."""

    async def viewer_interactions(self, user_id: UUID) -> list[Interaction]:
        """One viewer's interactions (the incremental update's whole history of them)."""

    async def changes_since(self, moment: datetime) -> int:
        """How many (viewer, title) histories or ratings changed after ``moment``."""


class RatingRepository(Protocol):
    async def put(self, rating: Rating) -> None:
        """Insert or replace the viewer's rating of the title."""

    async def delete(self, user_id: UUID, content_id: UUID) -> bool:
        """Remove it; False when there was none."""

    async def list_for(self, user_id: UUID) -> list[Rating]:
        """The viewer's ratings, most recent first."""
