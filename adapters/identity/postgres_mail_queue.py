from __future__ import annotations

import logging
from datetime import datetime, timedelta

import attrs
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.identity.sealed_mail import open_message
from adapters.postgres.tables import mail_queue
from application.identity.mail_queue_ports import QueuedMail
from application.identity.mfa_ports import SecretBox
from application.shared.mail_ports import MailMessage

log = logging.getLogger(__name__)

ERROR_LIMIT = 500  # characters of a failure kept in last_error
_UNREAD = MailMessage(to="", subject="", text="")


class PostgresMailQueue:
    """The mail_queue table as the worker's queue. A claim locks the due rows it takes with
    ``FOR UPDATE SKIP LOCKED`` and pushes their next_attempt_at to the end of the lease, in one
    statement: two workers never take the same message, and one that dies holding it only
    delays it by the lease. Outcomes are recorded for the claim that made them: a worker whose
    lease ran out (and whose message another worker took) cannot reschedule it."""

    def __init__(self, engine: AsyncEngine, box: SecretBox) -> None:
        self._engine, self._box = engine, box

    async def claim(self, now: datetime, lease: timedelta, limit: int) -> list[QueuedMail]:
        c = mail_queue.c
        due = (
            select(c.id)
            .where(c.sent_at.is_(None), c.failed_at.is_(None), c.next_attempt_at <= now)
            .order_by(c.next_attempt_at, c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        async with self._engine.begin() as conn:
            rows = (
                await conn.execute(
                    update(mail_queue)
                    .where(c.id.in_(due))
                    .values(next_attempt_at=now + lease, attempts=c.attempts + 1)
                    .returning(c.id, c.key_id, c.sealed_message, c.queued_at, c.attempts)
                )
            ).mappings()
            claimed = sorted(rows, key=lambda row: (row["queued_at"], row["id"]))
        taken = []
        for row in claimed:
            mail = QueuedMail(row["id"], _UNREAD, row["queued_at"], row["attempts"])
            try:
                message = open_message(self._box, row["id"], row["key_id"], bytes(row["sealed_message"]))
            except Exception as error:  # a retired key, a damaged row: no retry can open it
                log.error("a queued mail cannot be opened; giving it up", extra={"mail_id": str(row["id"])})
                await self.give_up(mail, now, f"cannot be opened: {type(error).__name__}")
                continue
            taken.append(attrs.evolve(mail, message=message))
        return taken

    async def mark_sent(self, mail: QueuedMail, now: datetime) -> None:
        await self._record(mail, sent_at=now, key_id=None, sealed_message=None, last_error=None, fenced=False)

    async def retry_at(self, mail: QueuedMail, at: datetime, error: str) -> None:
        await self._record(mail, next_attempt_at=at, last_error=error[:ERROR_LIMIT])

    async def give_up(self, mail: QueuedMail, now: datetime, error: str) -> None:
        await self._record(mail, failed_at=now, key_id=None, sealed_message=None, last_error=error[:ERROR_LIMIT])

    async def _record(self, mail: QueuedMail, *, fenced: bool = True, **values: object) -> None:
        c = mail_queue.c
        still_ours = [c.attempts == mail.attempt] if fenced else []
        async with self._engine.begin() as conn:
            await conn.execute(
                update(mail_queue)
                .where(c.id == mail.id, c.sent_at.is_(None), c.failed_at.is_(None), *still_ours)
                .values(**values)
            )
