"""Fan-out of progress changes to every device of a viewer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol
from uuid import UUID

from attrs import frozen


@frozen
class SyncEvent:
    kind: str  # "progress", "completed", "next_episode" or "dismissed"
    user_id: UUID
    content_id: UUID
    device_id: str
    position_seconds: float
    progress_percent: float
    completed: bool
    server_order: int
    occurred_at: datetime


class Subscription(Protocol):
    """A device listening to a user's changes; closing it stops the listening."""

    def __aiter__(self) -> AsyncIterator[SyncEvent]: ...

    async def __anext__(self) -> SyncEvent: ...

    async def aclose(self) -> None: ...


class SyncBroker(Protocol):
    """Fans progress changes out to every device of a user, across server processes."""

    async def publish(self, event: SyncEvent) -> None: ...

    async def subscribe(self, user_id: UUID) -> Subscription:
        """Events for ``user_id`` published once this returns (the subscription is in place by
        then, so a device told it is connected misses nothing), until it is closed."""
