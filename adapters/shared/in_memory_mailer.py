from __future__ import annotations

from datetime import UTC, datetime

from adapters.shared.rfc5322_mail import compose
from application.shared.mail_ports import MailDeliveryFailed, MailMessage


class InMemoryMailer:
    """Keeps what it is sent in ``sent``. ``fail_next(n)`` makes the next n sends fail
    (transiently, or for good with ``permanent=True``), for testing what retries them."""

    def __init__(self, sender: str = "Media Gateway <no-reply@media-gateway.invalid>") -> None:
        self.sender = sender
        self.sent: list[MailMessage] = []
        self._failures = 0
        self._permanent = False

    def fail_next(self, times: int, *, permanent: bool = False) -> None:
        self._failures, self._permanent = times, permanent

    async def send(self, message: MailMessage) -> None:
        compose(message, self.sender, datetime.now(UTC))  # refuses what the real mailers refuse
        if self._failures:
            self._failures -= 1
            raise MailDeliveryFailed("told to fail", permanent=self._permanent)
        self.sent.append(message)
