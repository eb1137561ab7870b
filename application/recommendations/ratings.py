"""A viewer's ratings of titles (1 disliked .. 5 loved): what they tell the model, and the list
they can review. A change refreshes the viewer's vector at once (training's incremental update);
a refresh that fails is logged and left to the next change or retrain, never failing the rating."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from attrs import frozen

from application.recommendations.catalog_ports import ItemCatalog
from application.recommendations.interaction_ports import RatingRepository
from application.shared.ports import Clock
from domain.recommendations.errors import RatingNotFound, TitleNotFound
from domain.recommendations.ratings import Rating

log = logging.getLogger(__name__)


class ViewerRefresh(Protocol):
    """What ratings need of training: recompute these viewers' vectors from their whole history."""

    async def __call__(self, user_ids: Sequence[UUID]) -> object: ...


async def _refresh(refresh_viewers: ViewerRefresh, user_id: UUID) -> None:
    try:
        await refresh_viewers([user_id])
    except Exception:  # the rating is stored; the vector catches up at the next change or retrain
        log.exception("refreshing a viewer's vector after a rating failed", extra={"user_id": str(user_id)})


@frozen
class RateTitleCommand:
    user_id: UUID
    content_id: UUID
    rating: object  # checked by Rating.create: a whole number 1..5, never a bool


@frozen
class RateTitle:
    ratings: RatingRepository
    catalog: ItemCatalog
    clock: Clock
    refresh_viewers: ViewerRefresh

    async def __call__(self, command: RateTitleCommand) -> Rating:
        rating = Rating.create(
            user_id=command.user_id, content_id=command.content_id, rating=command.rating, rated_at=self.clock.now()
        )
        if command.content_id not in await self.catalog.contents([command.content_id]):
            raise TitleNotFound(f"No content with id {command.content_id}.")
        await self.ratings.put(rating)
        await _refresh(self.refresh_viewers, command.user_id)
        return rating


@frozen
class RemoveRatingCommand:
    user_id: UUID
    content_id: UUID


@frozen
class RemoveRating:
    ratings: RatingRepository
    refresh_viewers: ViewerRefresh

    async def __call__(self, command: RemoveRatingCommand) -> None:
        if not await self.ratings.delete(command.user_id, command.content_id):
            raise RatingNotFound("You have not rated this title.")
        await _refresh(self.refresh_viewers, command.user_id)


@frozen
class ListRatings:
    ratings: RatingRepository

    async def __call__(self, user_id: UUID) -> list[Rating]:
        return await self.ratings.list_for(user_id)
