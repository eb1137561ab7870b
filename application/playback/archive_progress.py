"""Bring progress the live store accepted into the archive the lists are read from."""

from __future__ import annotations

from uuid import UUID

from attrs import frozen

from application.playback.ports import ProgressArchive, ProgressJournal


@frozen
class ArchiveProgressChanges:
    """The worker's loop body: archive the next batch of changes, then acknowledge it.

    A batch is acknowledged only after the archive has it, so a worker that dies mid-batch
    leaves it to be taken again; archiving is idempotent, so that is harmless."""

    journal: ProgressJournal
    archive: ProgressArchive
    batch_size: int = 500

    async def __call__(self, consumer: str, wait_seconds: float = 1.0) -> int:
        batch = await self.journal.changes(consumer, self.batch_size, wait_seconds)
        if not batch.ids:
            return 0
        await self.archive.write(batch.snapshots, batch.events)
        await self.journal.settle(batch.snapshots)
        await self.journal.acknowledge(batch)
        return len(batch.ids)


@frozen
class ArchiveViewerProgress:
    """Archive one viewer's not-yet-archived states now, so what they read includes what they
    just did even if the worker is behind (or not running)."""

    journal: ProgressJournal
    archive: ProgressArchive

    async def __call__(self, user_id: UUID) -> int:
        pending = await self.journal.pending(user_id)
        if pending:
            await self.archive.write(pending, ())
            await self.journal.settle(pending)
        return len(pending)
