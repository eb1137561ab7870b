"""Mail the identity context decides to send is queued in the same transaction as the decision
(a new account and its verification mail commit together, or neither does); the worker sends it."""

from __future__ import annotations

from typing import Protocol

from application.shared.mail_ports import MailMessage


class OutgoingMail(Protocol):
    """The mail queue as seen inside an identity unit of work (``uow.outgoing_mail``)."""

    async def queue(self, message: MailMessage) -> None:
        """Queue ``message``; it is sent after the unit of work commits, never if it rolls back."""
