"""The mail queue as the worker sees it: take the messages that are due, then say what became of
each. Messages get in through ``uow.outgoing_mail`` (outgoing_mail_ports.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from attrs import frozen

from application.shared.mail_ports import MailMessage


@frozen
class QueuedMail:
    id: UUID
    message: MailMessage
    queued_at: datetime
    attempt: int  # this attempt's number, from 1; counted when claimed, so a crash counts too


class MailQueue(Protocol):
    async def claim(self, now: datetime, lease: timedelta, limit: int) -> list[QueuedMail]:
        """Up to ``limit`` messages due at ``now`` (those due longest first), in the order they were
        queued, each leased to the caller:
        no other claim returns it before ``now + lease``. A caller that dies holding a lease
        loses nothing: the message comes due again when the lease runs out."""

    async def mark_sent(self, mail: QueuedMail, now: datetime) -> None:
        """Delivered: never claimed again; what it said is forgotten."""

    async def retry_at(self, mail: QueuedMail, at: datetime, error: str) -> None:
        """Not delivered this time; due again at ``at``. Ignored if the lease was lost (another
        claim took the message since)."""

    async def give_up(self, mail: QueuedMail, now: datetime, error: str) -> None:
        """Never to be delivered: kept as failed, what it said forgotten. Ignored if the lease was lost."""
