"""A viewer's explicit rating of a title: 1 (disliked) to 5 (loved)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from attrs import frozen

from domain.recommendations.errors import InvalidRating

LOWEST_RATING = 1
HIGHEST_RATING = 5
# Rated at or below this, a title is never recommended to the viewer again.
DISLIKED_AT_OR_BELOW = 2


@frozen
class Rating:
    user_id: UUID
    content_id: UUID
    rating: int
    rated_at: datetime

    @classmethod
    def create(cls, *, user_id: UUID, content_id: UUID, rating: object, rated_at: datetime) -> Rating:
        # bool is an int in Python; a JSON `true` is not a rating.
        if isinstance(rating, bool) or not isinstance(rating, int) or not LOWEST_RATING <= rating <= HIGHEST_RATING:
            raise InvalidRating(
                f"'rating' must be a whole number from {LOWEST_RATING} to {HIGHEST_RATING}.", field="rating"
            )
        return cls(user_id=user_id, content_id=content_id, rating=rating, rated_at=rated_at)

    @property
    def disliked(self) -> bool:
        return self.rating <= DISLIKED_AT_OR_BELOW
