"""Where processes leave their heartbeats, and read everyone's."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from attrs import frozen

from domain.operations.heartbeats import Beat, ProcessInstance


@frozen
class HeardBeats:
    """The heartbeats kept, and the time they were read at by the store's own clock (so ages do
    not depend on the reader's clock agreeing with the writers')."""

    read_at: datetime
    beats: tuple[Beat, ...]


class HeartbeatStore(Protocol):
    async def beat(self, instance: ProcessInstance, forget_after: timedelta) -> None:
        """Record that ``instance`` is alive now; forget every instance silent for ``forget_after``."""

    async def withdraw(self, instance: ProcessInstance) -> None:
        """Forget ``instance`` at once (it stopped cleanly)."""

    async def heard(self) -> HeardBeats: ...
