"""The live progress store and its journal in memory, with the same rules as the Redis one."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from uuid import UUID

import attrs

from adapters.playback.progress_entries import journal_fields, read_changes
from adapters.playback.sync_brokers import InMemorySyncBroker, sync_event
from adapters.shared.trace_carrier import current_trace_context
from application.playback.progress_archive_ports import ProgressArchive, ProgressSnapshot
from application.playback.progress_journal_ports import ChangeBatch, DeadLetter, JournalBacklog
from application.playback.progress_store_ports import Recorded
from domain.playback.progress import ProgressUpdate, Verdict, WatchProgress, accepted_state, judge

CLAIM_AFTER_SECONDS = 30.0


@attrs.define
class _Pair:
    progress: WatchProgress | None
    high_water: dict[str, int]
    order: int


@attrs.define
class _Change:
    id: str
    fields: Mapping[str, str]  # as the Redis store journals them, and read back the same way
    taken_by: str | None = None
    taken_at: float = 0.0
    journalled_at: float = attrs.field(factory=time.time)


class InMemoryProgressStore:
    def __init__(
        self, archive: ProgressArchive, broker: InMemorySyncBroker, *, claim_after_seconds: float = CLAIM_AFTER_SECONDS
    ) -> None:
        self._claim_after = claim_after_seconds
        self._archive = archive
        self._broker = broker
        self._pairs: dict[tuple[UUID, UUID], _Pair] = {}
        self._dirty: dict[UUID, set[UUID]] = {}
        self._changes: dict[str, _Change] = {}
        self._dead_letters: list[DeadLetter] = []
        self._ids = itertools.count(1)
        self._arrived = asyncio.Event()

    async def _pair(self, user_id: UUID, content_id: UUID) -> _Pair:
        key = (user_id, content_id)
        if key not in self._pairs:
            snapshot = await self._archive.load(user_id, content_id)
            order = snapshot.progress.server_order if snapshot.progress else 0
            # setdefault: another writer may have filled it while the archive answered.
            self._pairs.setdefault(key, _Pair(snapshot.progress, dict(snapshot.high_water), order))
        return self._pairs[key]

    async def _store(self, pair: _Pair, progress: WatchProgress, kind: str, history: bool) -> WatchProgress:
        pair.order += 1
        stored = attrs.evolve(progress, server_order=pair.order)
        pair.progress = stored
        self._dirty.setdefault(stored.user_id, set()).add(stored.content_id)
        traceparent, tracestate = current_trace_context()
        self.journal_entry(journal_fields(stored, history=history, traceparent=traceparent, tracestate=tracestate))
        await self._broker.publish(sync_event(kind, stored))
        return stored

    def journal_entry(self, fields: Mapping[str, str]) -> str:
        """Append an entry to the journal as it is, as any writer of the Redis stream could
        (tests use it for entries no current write produces)."""
        change_id = f"{next(self._ids)}-0"
        self._changes[change_id] = _Change(change_id, dict(fields))
        self._arrived.set()
        return change_id

    async def record(self, update: ProgressUpdate, *, completed: bool, now: datetime) -> Recorded:
        pair = await self._pair(update.user_id, update.content_id)
        high_water = pair.high_water.get(update.session_id)
        verdict = judge(pair.progress is not None, high_water, update.sequence)
        if verdict is not Verdict.ACCEPT:
            assert pair.progress is not None
            return Recorded(verdict, pair.progress)
        was_completed = pair.progress is not None and pair.progress.completed
        candidate = accepted_state(update, now=now, completed=completed)
        pair.high_water[update.session_id] = max(high_water if high_water is not None else -1, update.sequence)
        kind = "completed" if completed and not was_completed else "progress"
        return Recorded(Verdict.ACCEPT, await self._store(pair, candidate, kind, history=True), was_completed)

    async def queue_next_episode(self, entry: WatchProgress) -> WatchProgress | None:
        pair = await self._pair(entry.user_id, entry.content_id)
        if pair.progress is not None:
            return None
        return await self._store(pair, entry, "next_episode", history=False)

    async def dismiss(self, user_id: UUID, content_id: UUID, now: datetime) -> WatchProgress | None:
        pair = await self._pair(user_id, content_id)
        if pair.progress is None:
            return None
        if pair.progress.dismissed:
            return pair.progress
        hidden = attrs.evolve(pair.progress, dismissed=True, updated_at=now)
        return await self._store(pair, hidden, "dismissed", history=False)

    async def current(self, user_id: UUID, content_id: UUID) -> WatchProgress | None:
        return (await self._pair(user_id, content_id)).progress

    # The journal

    async def pending(self, user_id: UUID) -> list[ProgressSnapshot]:
        snapshots = []
        for content_id in sorted(self._dirty.get(user_id, set())):
            pair = self._pairs[(user_id, content_id)]
            snapshots.append(ProgressSnapshot(user_id, content_id, pair.progress, dict(pair.high_water)))
        return snapshots

    async def changes(self, consumer: str, limit: int, wait_seconds: float) -> ChangeBatch:
        taken = self._take(consumer, limit)
        if not taken and wait_seconds > 0:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), wait_seconds)
            except TimeoutError:
                return ChangeBatch()
            taken = self._take(consumer, limit)
        return read_changes((c.id, c.fields) for c in taken)

    def _take(self, consumer: str, limit: int) -> list[_Change]:
        now = time.monotonic()
        taken = []
        for change in self._changes.values():
            if len(taken) == limit:
                break
            if change.taken_by is None or now - change.taken_at >= self._claim_after:
                change.taken_by, change.taken_at = consumer, now
                taken.append(change)
        return taken

    async def settle(self, snapshots: Sequence[ProgressSnapshot]) -> None:
        for snapshot in snapshots:
            pair = self._pairs.get((snapshot.user_id, snapshot.content_id))
            settled_order = snapshot.progress.server_order if snapshot.progress else 0
            if pair is None or pair.order == settled_order:
                self._dirty.get(snapshot.user_id, set()).discard(snapshot.content_id)

    async def acknowledge(self, change_ids: Sequence[str]) -> None:
        for change_id in change_ids:
            self._changes.pop(change_id, None)

    async def backlog(self) -> JournalBacklog:
        if not self._changes:
            return JournalBacklog(pending=0, oldest_age_seconds=0.0)
        oldest = next(iter(self._changes.values()))  # a dict keeps the journal's order
        return JournalBacklog(len(self._changes), max(time.time() - oldest.journalled_at, 0.0))

    async def dead_letter(self, letters: Sequence[DeadLetter]) -> None:
        for letter in letters:
            if self._changes.pop(letter.change_id, None) is not None:
                self._dead_letters.append(letter)

    async def dead_letters(self, limit: int) -> list[DeadLetter]:
        return self._dead_letters[:limit]

    async def replay_dead_letters(self) -> int:
        letters, self._dead_letters = self._dead_letters, []
        for letter in letters:
            self.journal_entry(letter.fields)
        return len(letters)
