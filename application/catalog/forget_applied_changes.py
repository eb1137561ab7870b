from __future__ import annotations

from datetime import timedelta

from attrs import frozen

from application.catalog.catalog_change_ports import CatalogChanges
from application.shared.ports import Clock

# Past the senders' retry horizon a redelivery is caught by ingestion's dedup no more either; the
# margin covers a worker's retries and a dead letter replayed late (which dedup lets through again).
MARGIN = timedelta(days=1)


@frozen
class ForgetAppliedChanges:
    """Housekeeping: the record of applied change ids is kept for the dedup horizon plus a margin."""

    changes: CatalogChanges
    clock: Clock
    horizon: timedelta

    async def __call__(self) -> int:
        return await self.changes.forget_applied_before(self.clock.now() - self.horizon - MARGIN)
