from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Self, cast
from uuid import UUID

from sqlalchemy import delete, exists, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.catalog.postgres_content_repository import availability_row, content_from_row, load_availability
from adapters.postgres.tables import catalog_applied_changes, catalog_platform_titles, content, content_availability
from application.catalog.catalog_change_ports import PlatformTitle, StoredTitle
from domain.catalog.content import Availability, Content, ContentKind
from domain.catalog.external_ids import ExternalIds
from domain.catalog.title_key import title_key

# A change waiting longer than this for another worker's lock fails (and is retried as transient)
# rather than holding its connection indefinitely.
LOCK_TIMEOUT = "10s"
_HOLD = text("SELECT pg_advisory_xact_lock(hashtextextended(CAST(:key AS text), 0))")
_NEW_TITLES = "catalog:new-titles"
_CONTENT_COLUMNS = [c for c in content.c if c.name not in {"search_vector", "title_key"}]


class PostgresCatalogChanges:
    """One transaction per change. Changes to one platform title serialise on an advisory lock
    on its key, creating a title on one lock for all new titles (re-resolved under it), and a
    title's row is locked (FOR UPDATE) while a change writes it: no duplicate title, no lost update."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def unit(self) -> PostgresCatalogChangesUnit:
        return PostgresCatalogChangesUnit(self._engine)

    async def forget_applied_before(self, moment: datetime) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                delete(catalog_applied_changes).where(catalog_applied_changes.c.applied_at < moment)
            )
            return int(result.rowcount or 0)


class PostgresCatalogChangesUnit:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None

    @property
    def _conn(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("use the unit in 'async with'")
        return self._connection

    async def __aenter__(self) -> Self:
        self._connection = await self._engine.connect()
        await self._connection.begin()
        await self._connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.rollback()  # nothing to do after a commit
            await connection.close()

    async def commit(self) -> None:
        await self._conn.commit()

    async def hold_platform_title(self, platform: str, platform_content_id: str) -> None:
        await self._conn.execute(_HOLD, {"key": f"catalog:title:{platform}/{platform_content_id}"})

    async def hold_new_titles(self) -> None:
        await self._conn.execute(_HOLD, {"key": _NEW_TITLES})

    async def was_applied(self, change_id: str) -> bool:
        found = await self._conn.scalar(
            select(catalog_applied_changes.c.change_id).where(catalog_applied_changes.c.change_id == change_id)
        )
        return found is not None

    async def record_applied(self, change_id: str, outcome: str, content_id: UUID | None, at: datetime) -> None:
        await self._conn.execute(
            insert(catalog_applied_changes).values(
                change_id=change_id, outcome=outcome, content_id=content_id, applied_at=at
            )
        )

    async def platform_title(self, platform: str, platform_content_id: str) -> PlatformTitle | None:
        t = catalog_platform_titles.c
        result = await self._conn.execute(
            select(t.content_id, t.changed_at, t.removed).where(
                t.platform == platform, t.platform_content_id == platform_content_id
            )
        )
        row = result.first()
        return None if row is None else PlatformTitle(row.content_id, row.changed_at, row.removed)

    async def save_platform_title(self, platform: str, platform_content_id: str, title: PlatformTitle) -> None:
        values = {"content_id": title.content_id, "changed_at": title.changed_at, "removed": title.removed}
        statement = insert(catalog_platform_titles).values(
            platform=platform, platform_content_id=platform_content_id, **values
        )
        await self._conn.execute(
            statement.on_conflict_do_update(
                index_elements=[catalog_platform_titles.c.platform, catalog_platform_titles.c.platform_content_id],
                set_=values,
            )
        )

    async def offered_as(self, platform: str, platform_content_id: str) -> UUID | None:
        a = content_availability.c
        found = await self._conn.scalar(
            select(a.content_id)
            .where(a.platform == platform, a.platform_content_id == platform_content_id)
            .order_by(a.content_id)
            .limit(1)
        )
        return cast(UUID | None, found)

    async def with_external_ids(self, ids: ExternalIds, kind: ContentKind) -> UUID | None:
        for name, value in ids.known().items():
            found = await self._conn.scalar(
                select(content.c.id)
                .where(content.c.external_ids.contains({name: value}), content.c.kind == kind.value)
                .order_by(content.c.withdrawn_at.is_(None).desc(), content.c.id)
                .limit(1)
            )
            if found is not None:
                return cast(UUID, found)
        return None

    async def titled(self, key: str, release_year: int, kind: ContentKind) -> UUID | None:
        c = content.c
        found = await self._conn.scalar(
            select(c.id)
            .where(c.title_key == key, c.release_year == release_year, c.kind == kind.value, c.series_id.is_(None))
            .order_by(c.withdrawn_at.is_(None).desc(), c.id)
            .limit(1)
        )
        return cast(UUID | None, found)

    async def episode(self, series_id: UUID, season_number: int, episode_number: int) -> UUID | None:
        c = content.c
        found = await self._conn.scalar(
            select(c.id)
            .where(c.series_id == series_id, c.season_number == season_number, c.episode_number == episode_number)
            .order_by(c.id)
            .limit(1)
        )
        return cast(UUID | None, found)

    async def title(self, content_id: UUID) -> StoredTitle | None:
        result = await self._conn.execute(select(*_CONTENT_COLUMNS).where(content.c.id == content_id).with_for_update())
        row = result.mappings().first()
        if row is None:
            return None
        availability = await load_availability(self._conn, [content_id])
        return StoredTitle(content_from_row(row, availability[content_id]), row["details_changed_at"])

    async def save_title(self, item: Content, details_changed_at: datetime | None) -> None:
        values = {
            "title": item.title,
            "kind": item.kind.value,
            "series_id": item.series_id,
            "season_number": item.season_number,
            "episode_number": item.episode_number,
            "runtime_seconds": item.runtime_seconds,
            "release_year": item.release_year,
            "genres": list(item.genres),
            "synopsis": item.synopsis,
            "external_ids": item.external_ids.known(),
            "withdrawn_at": item.withdrawn_at,
            "details_changed_at": details_changed_at,
            "title_key": title_key(item.title),
        }
        statement = insert(content).values(id=item.id, **values)
        await self._conn.execute(statement.on_conflict_do_update(index_elements=[content.c.id], set_=values))

    async def replace_availability(self, content_id: UUID, platform: str, offers: Sequence[Availability]) -> None:
        a = content_availability.c
        await self._conn.execute(delete(content_availability).where(a.content_id == content_id, a.platform == platform))
        if offers:
            await self._conn.execute(insert(content_availability), [availability_row(content_id, o) for o in offers])

    async def offered_by_any_platform(self, content_id: UUID) -> bool:
        a, t = content_availability.c, catalog_platform_titles.c
        offered = await self._conn.scalar(
            select(
                or_(
                    exists().where(a.content_id == content_id),
                    exists().where(t.content_id == content_id, t.removed.is_(False)),
                )
            )
        )
        return bool(offered)
