"""The catalog's change feed from PostgreSQL: content rows by (change_xid, id), which triggers set
on every write of a title or its availability (migration 0015). Only rows written by transactions
older than the snapshot's xmin are read: every transaction below it has ended, so no change can
still appear before them."""

from __future__ import annotations

from sqlalchemy import func, literal_column, select, text, tuple_
from sqlalchemy.dialects.postgresql import JSON, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.catalog.jsonl_catalog_file import availability_from_json
from adapters.catalog.postgres_content_repository import content_from_row
from adapters.postgres.tables import content, content_availability
from application.catalog.search_index_ports import FeedChanges, FeedLag, FeedMark

_SETTLED = text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
_NEXT = text("pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
_COLUMNS = [c for c in content.c if c.name not in {"search_vector", "title_key", "details_changed_at"}]
_OFFER = content_availability.c
_OFFER_FIELDS = ("platform", "region", "deep_link", "platform_content_id", "available_from", "available_until")
# Each title's offers in the same round trip, as JSON built by PostgreSQL (a rebuild reads the whole
# catalog: a second query by id and grouping its rows in Python cost more than the titles did). The
# records are the catalog file's (timestamps as ISO 8601 with the offset), read by the same function.
_OFFERS = (
    select(
        func.coalesce(
            func.json_agg(
                aggregate_order_by(
                    func.json_build_object(*[part for name in _OFFER_FIELDS for part in (name, _OFFER[name])]),
                    _OFFER.platform,
                    _OFFER.region,
                )
            ),
            literal_column("'[]'::json"),
            type_=JSON,
        )
    )
    .where(_OFFER.content_id == content.c.id)
    .scalar_subquery()
    .label("offers")
)


class PostgresCatalogChangeFeed:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def changes_after(self, mark: FeedMark, limit: int) -> FeedChanges:
        c = content.c
        statement = (
            select(*_COLUMNS, _OFFERS)
            .where(tuple_(c.change_xid, c.id) > tuple_(mark.number, mark.content_id), c.change_xid < _SETTLED)
            .order_by(c.change_xid, c.id)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement)).mappings().all()
        if not rows:
            return FeedChanges((), mark)
        items = tuple(content_from_row(row, map(availability_from_json, row["offers"])) for row in rows)
        return FeedChanges(items, FeedMark(rows[-1]["change_xid"], rows[-1]["id"]))

    async def titles(self) -> int:
        async with self._engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(content)) or 0)

    async def lag(self, mark: FeedMark) -> FeedLag:
        c = content.c
        statement = select(func.count(), func.min(c.changed_at)).where(
            tuple_(c.change_xid, c.id) > tuple_(mark.number, mark.content_id)
        )
        async with self._engine.connect() as conn:
            changes, oldest = (await conn.execute(statement)).one()
        return FeedLag(int(changes), oldest)

    async def issued(self, mark: FeedMark) -> bool:
        async with self._engine.connect() as conn:
            next_xid = int(await conn.scalar(select(_NEXT)) or 0)
        return mark.number < next_xid
