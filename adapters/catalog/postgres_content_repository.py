from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from uuid import UUID

from sqlalchemy import any_, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.postgres.tables import content, content_availability
from domain.catalog.content import Availability, Content, ContentKind
from domain.catalog.external_ids import ExternalIds
from domain.catalog.title_key import title_key

_CONTENT_COLUMNS = [c for c in content.c if c.name not in {"search_vector", "title_key", "details_changed_at"}]


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
        external_ids=ExternalIds(**(row.get("external_ids") or {})),
        withdrawn_at=row.get("withdrawn_at"),
    )


def availability_from_row(row: RowMapping) -> Availability:
    return Availability(
        platform=row["platform"],
        region=row["region"],
        deep_link=row["deep_link"],
        platform_content_id=row["platform_content_id"],
        available_from=row["available_from"],
        available_until=row["available_until"],
    )


def availability_row(content_id: UUID, offer: Availability) -> dict[str, object]:
    return {
        "content_id": content_id,
        "platform": offer.platform,
        "region": offer.region,
        "deep_link": offer.deep_link,
        "platform_content_id": offer.platform_content_id,
        "available_from": offer.available_from,
        "available_until": offer.available_until,
    }


async def load_availability(conn: AsyncConnection, ids: Sequence[UUID]) -> dict[UUID, list[Availability]]:
    found: dict[UUID, list[Availability]] = defaultdict(list)
    if not ids:
        return found
    # one array parameter: an IN list of thousands of ids costs more to compile than to run
    wanted = bindparam("ids", list(ids), type_=ARRAY(PG_UUID(as_uuid=True)))
    result = await conn.execute(
        select(content_availability)
        .where(content_availability.c.content_id == any_(wanted))
        .order_by(content_availability.c.platform, content_availability.c.region)
    )
    for row in result.mappings():
        found[row["content_id"]].append(availability_from_row(row))
    return found


class PostgresContentRepository:
    """Titles by id, withdrawn ones too (their watch history still needs them)."""

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
                "external_ids": item.external_ids.known(),
                "withdrawn_at": item.withdrawn_at,
                "title_key": title_key(item.title),
            }
            for item in items
        ]
        statement = insert(content).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=[content.c.id],
            set_={name: statement.excluded[name] for name in rows[0] if name != "id"},
        )
        availability = [availability_row(item.id, a) for item in items for a in item.availability]
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
