from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.postgres.tables import content, content_availability
from domain.catalog.content import Availability, Content, ContentKind

_CONTENT_COLUMNS = [c for c in content.c if c.name != "search_vector"]


def content_from_row(row: RowMapping, availability: Iterable[Availability]) -> Content:
    return Content(
        id=row["id"],
        title=row["title"],
        kind=ContentKind(row["kind"]),
        release_year=row["release_year"],
        genres=tuple(row["genres"]),
        synopsis=row["synopsis"],
        availability=tuple(availability),
        runtime_seconds=row["runtime_seconds"],
        series_id=row["series_id"],
        season_number=row["season_number"],
        episode_number=row["episode_number"],
    )


async def load_availability(conn: AsyncConnection, ids: Sequence[UUID]) -> dict[UUID, list[Availability]]:
    found: dict[UUID, list[Availability]] = defaultdict(list)
    if not ids:
        return found
    result = await conn.execute(
        select(content_availability)
        .where(content_availability.c.content_id.in_(ids))
        .order_by(content_availability.c.platform, content_availability.c.region)
    )
    for row in result.mappings():
        found[row["content_id"]].append(
            Availability(platform=row["platform"], region=row["region"], deep_link=row["deep_link"])
        )
    return found


class PostgresContentRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, content_id: UUID) -> Content | None:
        async with self._engine.connect() as conn:
            result = await conn.execute(select(*_CONTENT_COLUMNS).where(content.c.id == content_id))
            row = result.mappings().first()
            if row is None:
                return None
            availability = await load_availability(conn, [content_id])
        return content_from_row(row, availability[content_id])

    async def upsert_many(self, items: Sequence[Content]) -> int:
        if not items:
            return 0
        rows = [
            {
                "id": item.id,
                "title": item.title,
                "kind": item.kind.value,
                "series_id": item.series_id,
                "season_number": item.season_number,
                "episode_number": item.episode_number,
                "runtime_seconds": item.runtime_seconds,
                "release_year": item.release_year,
                "genres": list(item.genres),
                "synopsis": item.synopsis,
            }
            for item in items
        ]
        statement = insert(content).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=[content.c.id],
            set_={name: statement.excluded[name] for name in rows[0] if name != "id"},
        )
        availability = [
            {"content_id": item.id, "platform": a.platform, "region": a.region, "deep_link": a.deep_link}
            for item in items
            for a in item.availability
        ]
        async with self._engine.begin() as conn:
            await conn.execute(statement)
            await conn.execute(
                delete(content_availability).where(content_availability.c.content_id.in_([item.id for item in items]))
            )
            if availability:
                await conn.execute(insert(content_availability), availability)
        return len(items)

    async def count(self) -> int:
        async with self._engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(content)) or 0)
