"""What receiving tells the metrics (``entrypoints/telemetry/webhook_metrics.py``)."""

from __future__ import annotations

from typing import Protocol


class ReceivingObserver(Protocol):
    def received(self, platform: str) -> None:
        """A delivery with a valid signature arrived (accepted, duplicate or refused later)."""

    def rejected(self, platform: str, reason: str) -> None:
        """Refused: a signature's reason (missing, malformed, mismatch, stale, future), ``payload``,
        ``too_large`` or ``busy``."""

    def duplicate(self, platform: str, level: str) -> None:
        """Answered as a duplicate: ``delivery`` (same delivery id) or ``change`` (same change)."""


class NoReceivingObserver:
    def received(self, platform: str) -> None:
        pass

    def rejected(self, platform: str, reason: str) -> None:
        pass

    def duplicate(self, platform: str, level: str) -> None:
        pass
