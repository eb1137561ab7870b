"""Bring progress the live store accepted into the archive the lists are read from."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from attrs import frozen

from application.playback.progress_archive_ports import ArchiveRefused, ProgressArchive, ProgressSnapshot
from application.playback.progress_journal_ports import (
    DeadLetter,
    JournalledChange,
    ProgressJournal,
    latest_snapshots,
    watch_events,
)
from application.shared.work_tracing_ports import WorkTracing


@frozen
class ArchiveProgressChangesCommand:
    consumer: str  # this worker's name in the journal, so changes it took and never acknowledged go to another
    wait_seconds: float = 1.0  # how long to wait for a change when there is none


@frozen
class ArchiveProgressChanges:
    """The worker's loop body: archive the next batch of changes, then acknowledge it.

    A batch is acknowledged only after the archive has it, so a worker that dies mid-batch
    leaves it to be taken again; archiving is idempotent, so that is harmless. One entry never
    holds back the others: an entry that cannot be read, or that the archive refuses, becomes a
    dead letter and the rest is archived. An archive that cannot be reached refuses nothing: the
    error goes up and the batch stays unacknowledged, to be taken again.

    Archiving a batch (not waiting for one) is traced as work continuing the traces of the
    requests that made its changes, so a request and the database write it led to are one trace."""

    journal: ProgressJournal
    archive: ProgressArchive
    tracing: WorkTracing
    batch_size: int = 500

    async def __call__(self, command: ArchiveProgressChangesCommand) -> int:
        batch = await self.journal.changes(command.consumer, self.batch_size, command.wait_seconds)
        if not batch.ids:
            return 0
        with self.tracing.continuing("archive", batch.trace_contexts):
            refused = await self._archive(batch.changes)
            if batch.unreadable or refused:
                await self.journal.dead_letter([*batch.unreadable, *refused])
            refused_ids = {letter.change_id for letter in refused}
            archived = [c for c in batch.changes if c.id not in refused_ids]
            await self.journal.settle(latest_snapshots(archived))
            await self.journal.acknowledge([c.id for c in archived])
        return len(batch.ids)

    async def _archive(self, changes: Sequence[JournalledChange]) -> list[DeadLetter]:
        """Write ``changes``; if the archive refuses them, halve and try again to find the
        entries it refuses (about log2(n) extra writes per bad entry), and return those."""
        if not changes:
            return []
        try:
            await self.archive.write(latest_snapshots(changes), watch_events(changes))
            return []
        except ArchiveRefused as error:
            if len(changes) == 1:
                return [DeadLetter(changes[0].id, changes[0].fields, f"the archive refused it: {error}")]
        middle = len(changes) // 2
        return [*await self._archive(changes[:middle]), *await self._archive(changes[middle:])]


@frozen
class ArchiveViewerProgressCommand:
    user_id: UUID


@frozen
class ArchiveViewerProgress:
    """Archive one viewer's not-yet-archived states now, so what they read includes what they
    just did even if the worker is behind (or not running)."""

    journal: ProgressJournal
    archive: ProgressArchive

    async def __call__(self, command: ArchiveViewerProgressCommand) -> int:
        pending = await self.journal.pending(command.user_id)
        if not pending:
            return 0
        try:
            await self.archive.write(pending, ())
            archived: Sequence[ProgressSnapshot] = pending
        except ArchiveRefused:
            # One title the archive refuses must not hide the others from the list: archive them
            # one by one. A refused one stays pending (the worker dead-letters its journal entry).
            archived = [snapshot for snapshot in pending if await self._write_alone(snapshot)]
        await self.journal.settle(archived)
        return len(archived)

    async def _write_alone(self, snapshot: ProgressSnapshot) -> bool:
        try:
            await self.archive.write([snapshot], ())
        except ArchiveRefused:
            return False
        return True
