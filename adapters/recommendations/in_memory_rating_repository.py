"""Ratings in a dict: the reference for the PostgreSQL repository, and the fake world's."""

from __future__ import annotations

from uuid import UUID

from domain.recommendations.ratings import Rating


class InMemoryRatingRepository:
    def __init__(self) -> None:
        self.ratings: dict[tuple[UUID, UUID], Rating] = {}

    async def put(self, rating: Rating) -> None:
        self.ratings[(rating.user_id, rating.content_id)] = rating

    async def delete(self, user_id: UUID, content_id: UUID) -> bool:
        return self.ratings.pop((user_id, content_id), None) is not None

    async def list_for(self, user_id: UUID) -> list[Rating]:
        mine = [r for (user, _), r in self.ratings.items() if user == user_id]
        return sorted(mine, key=lambda r: r.rated_at, reverse=True)
