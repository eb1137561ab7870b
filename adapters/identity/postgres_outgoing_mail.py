from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.identity.sealed_mail import seal_message
from adapters.postgres.tables import mail_queue
from application.identity.mfa_ports import SecretBox
from application.shared.mail_ports import MailMessage
from application.shared.ports import Clock, IdGenerator


class PostgresOutgoingMail:
    """Queues mail on the unit of work's own connection: it is sent only if that transaction commits."""

    def __init__(self, conn: AsyncConnection, box: SecretBox | None, clock: Clock, ids: IdGenerator) -> None:
        self._conn, self._box, self._clock, self._ids = conn, box, clock, ids

    async def queue(self, message: MailMessage) -> None:
        if self._box is None:
            raise RuntimeError("this identity unit of work was made without a secret box, so it cannot queue mail")
        mail_id, now = self._ids.new_id(), self._clock.now()
        key_id, sealed = seal_message(self._box, mail_id, message)
        await self._conn.execute(
            insert(mail_queue).values(
                id=mail_id,
                recipient=message.to,
                key_id=key_id,
                sealed_message=sealed,
                queued_at=now,
                attempts=0,
                next_attempt_at=now,
            )
        )
