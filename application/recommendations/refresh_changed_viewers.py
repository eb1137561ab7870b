"""One step of the worker's incremental refresh: the viewers whose history or ratings changed
since the last look get their vectors recomputed (``RefreshViewers``).

The watermark is over the time playback accepted a change (``watch_progress.updated_at``) or the
rating was made, which is not when the row reached PostgreSQL: the archive may write a change
late (a backlog, a worker restart). So the watermark only moves up to the *horizon*, before which
every change is archived for certain: the oldest change the journal still holds (minus a margin
for clocks and in-flight writes). Rows after the watermark are read on every look until the
horizon passes them; those already refreshed are remembered and not refreshed again (a second
refresh would be harmless, only wasted)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from application.playback.progress_journal_ports import JournalBacklogReader
from application.recommendations.refresh_viewers import RefreshViewers
from application.recommendations.viewer_change_ports import ViewerChanges
from application.shared.ports import Clock

MARGIN = timedelta(seconds=5)


class RefreshChangedViewers:
    def __init__(
        self,
        *,
        changes: ViewerChanges,
        journal: JournalBacklogReader,
        refresh: RefreshViewers,
        clock: Clock,
        margin: timedelta = MARGIN,
    ) -> None:
        self._changes = changes
        self._journal = journal
        self._refresh = refresh
        self._clock = clock
        self._margin = margin
        self._watermark: datetime | None = None
        self._refreshed: set[tuple[UUID, UUID, datetime]] = set()

    async def __call__(self) -> int:
        """How many viewers were refreshed by this look."""
        horizon = await self._horizon()  # read before the changes: all before it is in them
        if self._watermark is None:
            self._watermark = horizon  # what changed before the worker started, the last run saw
        fresh = [
            change
            for change in await self._changes.changed_since(self._watermark)
            if (change.user_id, change.content_id, change.changed_at) not in self._refreshed
        ]
        updated = await self._refresh([change.user_id for change in fresh]) if fresh else 0
        self._refreshed.update((c.user_id, c.content_id, c.changed_at) for c in fresh)
        self._watermark = max(self._watermark, horizon)
        self._refreshed = {key for key in self._refreshed if key[2] > self._watermark}
        return updated

    async def _horizon(self) -> datetime:
        backlog = await self._journal.backlog()
        return self._clock.now() - timedelta(seconds=backlog.oldest_age_seconds) - self._margin
