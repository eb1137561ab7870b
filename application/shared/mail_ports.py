"""Sending mail: one message to one person, plain text (and optionally HTML) only."""

from __future__ import annotations

from typing import Protocol

from attrs import frozen


@frozen
class MailMessage:
    to: str  # one address; mail to several people is several messages
    subject: str
    text: str
    html: str | None = None


class MailDeliveryFailed(Exception):
    """The message was not handed over; ``permanent`` when trying again cannot help (a refused
    recipient), otherwise the queue tries again later."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Mailer(Protocol):
    """Hands one message to the mail system (an SMTP server, or the outbox directory)."""

    async def send(self, message: MailMessage) -> None:
        """Return once the message is accepted; raise MailDeliveryFailed otherwise."""
