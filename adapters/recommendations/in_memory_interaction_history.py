"""The interaction history over the in-memory archive (playback's tables in memory), ratings and
catalog: the fake world's twin of ``PostgresInteractionHistory`` (the same roll-up rules)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from uuid import UUID

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.playback.in_memory_progress_archive import InMemoryProgressArchive
from adapters.recommendations.in_memory_rating_repository import InMemoryRatingRepository
from adapters.recommendations.interaction_rollup import RatingRow, TitleRow, completion_runs, rolled_up
from application.recommendations.viewer_change_ports import ChangedHistory
from domain.recommendations.interactions import Interaction


class InMemoryInteractionHistory:
    def __init__(
        self, archive: InMemoryProgressArchive, ratings: InMemoryRatingRepository, catalog: InMemoryCatalog
    ) -> None:
        self._archive = archive
        self._ratings = ratings
        self._catalog = catalog

    async def every_interaction(self, batch_size: int) -> AsyncIterator[Sequence[Interaction]]:
        viewers = sorted(self._viewers())
        for start in range(0, len(viewers), batch_size):
            batch = await self._interactions(set(viewers[start : start + batch_size]))
            if batch:
                yield batch

    async def viewer_interactions(self, user_id: UUID) -> list[Interaction]:
        return await self._interactions({user_id})

    async def changes_since(self, moment: datetime) -> int:
        state = self._archive.state
        histories = sum(1 for p in state.progress.values() if p.updated_at > moment)
        return histories + sum(1 for r in self._ratings.ratings.values() if r.rated_at > moment)

    async def changed_since(self, moment: datetime) -> list[ChangedHistory]:
        state = self._archive.state
        changed = [ChangedHistory(u, c, p.updated_at) for (u, c), p in state.progress.items() if p.updated_at > moment]
        return changed + [
            ChangedHistory(u, c, r.rated_at) for (u, c), r in self._ratings.ratings.items() if r.rated_at > moment
        ]

    def _viewers(self) -> set[UUID]:
        state = self._archive.state
        return (
            {user for user, _ in state.progress}
            | {e.user_id for e in state.history}
            | {user for user, _ in self._ratings.ratings}
        )

    async def _interactions(self, viewers: set[UUID]) -> list[Interaction]:
        state = self._archive.state
        flags: dict[tuple[UUID, UUID], list[bool]] = defaultdict(list)
        furthest: dict[tuple[UUID, UUID], float] = defaultdict(float)
        for event in state.history:
            if event.user_id in viewers:
                key = (event.user_id, event.content_id)
                flags[key].append(event.completed)
                furthest[key] = max(furthest[key], event.progress_percent / 100)
        current = {key: p for key, p in state.progress.items() if key[0] in viewers}
        titles: list[TitleRow] = []
        for key in flags.keys() | current.keys():
            item = await self._item_of(key[1])
            if item is None:
                continue
            progress = current.get(key)
            runs = completion_runs(flags.get(key, []))
            fraction = furthest.get(key, 0.0)
            if progress is not None:
                if progress.duration_seconds > 0:
                    fraction = max(fraction, progress.position_seconds / progress.duration_seconds)
                runs = max(runs, 1 if progress.completed else 0)
            titles.append(
                TitleRow(
                    user_id=key[0],
                    item_id=item,
                    fraction=fraction,
                    completions=runs,
                    dismissed=progress.dismissed if progress is not None else False,
                    updated_at=progress.updated_at if progress is not None else None,
                )
            )
        ratings: list[RatingRow] = []
        for (user, content), rating in self._ratings.ratings.items():
            item = await self._item_of(content) if user in viewers else None
            if item is not None:
                ratings.append(RatingRow(user, item, rating.rating, rating.rated_at, of_item_itself=item == content))
        return rolled_up(titles, ratings)

    async def _item_of(self, content_id: UUID) -> UUID | None:
        content = await self._catalog.get(content_id)
        if content is None:
            return None
        return content.series_id or content.id
