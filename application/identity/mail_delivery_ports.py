"""What the worker tells the metrics about each message it tried to send."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class MailOutcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # not delivered this time; due again later
    GIVEN_UP = "given_up"  # never to be delivered


class MailOutcomes(Protocol):
    def counted(self, outcome: MailOutcome) -> None: ...


class UncountedMailOutcomes:
    def counted(self, outcome: MailOutcome) -> None:
        pass
