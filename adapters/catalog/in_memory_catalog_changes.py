from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Self
from uuid import UUID

import attrs

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from application.catalog.catalog_change_ports import PlatformTitle, StoredTitle
from domain.catalog.content import Availability, Content, ContentKind
from domain.catalog.external_ids import ExternalIds
from domain.catalog.title_key import title_key


class InMemoryCatalogChanges:
    """CatalogChanges over an InMemoryCatalog (so its search and pages see what is applied).
    Units run one at a time, which is the isolation the Postgres adapter gets from its locks."""

    def __init__(self, catalog: InMemoryCatalog) -> None:
        self.catalog = catalog
        self.platform_titles: dict[tuple[str, str], PlatformTitle] = {}
        self.applied: dict[str, tuple[str, UUID | None, datetime]] = {}
        self.details_changed_at: dict[UUID, datetime] = {}
        self.lock = asyncio.Lock()

    def unit(self) -> InMemoryCatalogChangesUnit:
        return InMemoryCatalogChangesUnit(self)

    async def forget_applied_before(self, moment: datetime) -> int:
        async with self.lock:
            old = [change_id for change_id, (_, _, at) in self.applied.items() if at < moment]
            for change_id in old:
                del self.applied[change_id]
            return len(old)


class InMemoryCatalogChangesUnit:
    def __init__(self, store: InMemoryCatalogChanges) -> None:
        self._store = store
        self._contents: dict[UUID, Content] = {}
        self._platform_titles: dict[tuple[str, str], PlatformTitle] = {}
        self._applied: dict[str, tuple[str, UUID | None, datetime]] = {}
        self._details_changed_at: dict[UUID, datetime | None] = {}

    async def __aenter__(self) -> Self:
        await self._store.lock.acquire()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._store.lock.release()

    async def commit(self) -> None:
        for item in self._contents.values():
            self._store.catalog.put(item)
        self._store.platform_titles.update(self._platform_titles)
        self._store.applied.update(self._applied)
        for content_id, at in self._details_changed_at.items():
            if at is not None:
                self._store.details_changed_at[content_id] = at

    async def hold_platform_title(self, platform: str, platform_content_id: str) -> None:
        return None  # the whole store is held

    async def hold_new_titles(self) -> None:
        return None

    async def was_applied(self, change_id: str) -> bool:
        return change_id in self._applied or change_id in self._store.applied

    async def record_applied(self, change_id: str, outcome: str, content_id: UUID | None, at: datetime) -> None:
        self._applied[change_id] = (outcome, content_id, at)

    async def platform_title(self, platform: str, platform_content_id: str) -> PlatformTitle | None:
        key = (platform, platform_content_id)
        return self._platform_titles.get(key) or self._store.platform_titles.get(key)

    async def save_platform_title(self, platform: str, platform_content_id: str, title: PlatformTitle) -> None:
        self._platform_titles[(platform, platform_content_id)] = title

    def _items(self) -> Iterator[Content]:
        for item in self._store.catalog.items():
            yield self._contents.get(item.id, item)
        yield from (item for key, item in self._contents.items() if key not in self._store.catalog)

    async def offered_as(self, platform: str, platform_content_id: str) -> UUID | None:
        return next(
            (
                item.id
                for item in self._items()
                if any(
                    a.platform == platform and a.platform_content_id == platform_content_id for a in item.availability
                )
            ),
            None,
        )

    async def with_external_ids(self, ids: ExternalIds, kind: ContentKind) -> UUID | None:
        for name, value in ids.known().items():
            for item in self._items():
                if item.kind is kind and item.external_ids.known().get(name) == value:
                    return item.id
        return None

    async def titled(self, key: str, release_year: int, kind: ContentKind) -> UUID | None:
        return next(
            (
                item.id
                for item in self._items()
                if item.kind is kind and item.release_year == release_year and title_key(item.title) == key
            ),
            None,
        )

    async def episode(self, series_id: UUID, season_number: int, episode_number: int) -> UUID | None:
        return next(
            (
                item.id
                for item in self._items()
                if item.series_id == series_id
                and item.season_number == season_number
                and item.episode_number == episode_number
            ),
            None,
        )

    async def title(self, content_id: UUID) -> StoredTitle | None:
        item = self._contents.get(content_id) or await self._store.catalog.get(content_id)
        if item is None:
            return None
        if content_id in self._details_changed_at:
            changed_at = self._details_changed_at[content_id]
        else:
            changed_at = self._store.details_changed_at.get(content_id)
        return StoredTitle(item, changed_at)

    async def save_title(self, content: Content, details_changed_at: datetime | None) -> None:
        stored = await self.title(content.id)
        availability = stored.content.availability if stored is not None else ()
        self._contents[content.id] = attrs.evolve(content, availability=availability)
        self._details_changed_at[content.id] = details_changed_at

    async def replace_availability(self, content_id: UUID, platform: str, offers: Sequence[Availability]) -> None:
        stored = await self.title(content_id)
        if stored is None:
            return
        kept = [a for a in stored.content.availability if a.platform != platform]
        ordered = tuple(sorted([*kept, *offers], key=lambda a: (a.platform, a.region)))
        self._contents[content_id] = attrs.evolve(stored.content, availability=ordered)

    async def offered_by_any_platform(self, content_id: UUID) -> bool:
        stored = await self.title(content_id)
        if stored is not None and stored.content.availability:
            return True
        titles = {**self._store.platform_titles, **self._platform_titles}
        return any(t.content_id == content_id and not t.removed for t in titles.values())
