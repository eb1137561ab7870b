"""Which viewers' histories changed lately: what the worker's incremental refresh looks at."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from attrs import frozen


@frozen
class ChangedHistory:
    user_id: UUID
    content_id: UUID
    changed_at: datetime  # the state's updated_at (when playback accepted it) or the rating's rated_at


class ViewerChanges(Protocol):
    async def changed_since(self, moment: datetime) -> list[ChangedHistory]:
        """Every title state and rating whose time is after ``moment`` (archived by now)."""
