from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.tables import mail_queue
from application.identity.mail_backlog_ports import MailBacklog


class PostgresMailBacklogReader:
    """The mail_queue table's backlog, in one statement: the waiting rows through the partial
    index of unsent mail (mail_queue_due_idx), the recent failures through the partial index of
    given-up mail (mail_queue_failed_idx); sent mail, the bulk of the table, is never read."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def backlog(self, now: datetime, given_up_since: datetime) -> MailBacklog:
        c = mail_queue.c
        waiting = (
            select(func.count().label("waiting"), func.min(c.queued_at).label("oldest"))
            .where(c.sent_at.is_(None), c.failed_at.is_(None))
            .subquery()
        )
        given_up = (
            select(func.count().label("given_up"))
            .where(c.failed_at.is_not(None), c.failed_at >= given_up_since)
            .subquery()
        )
        async with self._engine.connect() as conn:
            row = (
                (await conn.execute(select(waiting, given_up).select_from(waiting.join(given_up, true()))))
                .mappings()
                .one()
            )
        oldest: datetime | None = row["oldest"]
        age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        return MailBacklog(waiting=row["waiting"], oldest_age_seconds=age, given_up=row["given_up"])
