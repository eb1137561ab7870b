"""How the mail queue is doing, for operators: what waits to be sent, and what was given up."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from attrs import frozen


@frozen
class MailBacklog:
    """Mail queued and neither sent nor given up yet (due now or waiting for a retry), how long
    the oldest of it has waited since it was queued (0 when there is none), and how much mail was
    given up since the time asked about."""

    waiting: int
    oldest_age_seconds: float
    given_up: int


class MailBacklogReader(Protocol):
    async def backlog(self, now: datetime, given_up_since: datetime) -> MailBacklog: ...
