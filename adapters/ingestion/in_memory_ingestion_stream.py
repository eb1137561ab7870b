"""The ingestion stream in memory: the receiver's intake and the worker's stream over one state,
with the same rules as the Redis adapter (``redis-ingestion-format.md``)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs

from application.ingestion.ingested_change import Attempt, IngestedChange
from application.ingestion.stream_ports import (
    Acceptance,
    Accepted,
    Busy,
    DeadLetter,
    DeadLetterFilter,
    Duplicate,
    IngestionBacklog,
    ReplayOutcome,
)
from application.shared.ports import Clock

CLAIM_AFTER = timedelta(seconds=30)


@attrs.define
class _Handed:
    consumer: str
    at: datetime


class InMemoryIngestionStream:
    def __init__(self, clock: Clock, *, claim_after: timedelta = CLAIM_AFTER) -> None:
        self._clock = clock
        self._claim_after = claim_after
        self._ids = itertools.count(1)
        self._entries: dict[str, IngestedChange] = {}  # the stream, in order
        self._added_at: dict[str, datetime] = {}
        self._handed: dict[str, _Handed] = {}
        self._retries: list[tuple[datetime, IngestedChange]] = []
        self._dead: dict[str, DeadLetter] = {}
        self._deliveries: dict[tuple[str, str], tuple[str, datetime]] = {}  # -> (event id, expires)
        self._titles: dict[tuple[str, str], tuple[str, str, datetime]] = {}  # -> (fingerprint, event id, expires)
        self._arrived = asyncio.Event()

    def _next_id(self) -> str:
        return f"{int(self._clock.now().timestamp() * 1000)}-{next(self._ids)}"

    def _live(self, expires: datetime) -> bool:
        return self._clock.now() < expires

    # the receiver's side
    async def accept(self, entry: IngestedChange, *, backlog_limit: int, horizon: timedelta) -> Acceptance:
        assert entry.change is not None
        if len(self._entries) >= backlog_limit:
            return Busy(len(self._entries))
        delivery = (entry.platform, entry.delivery_id)
        title = (entry.platform, entry.change.platform_content_id)
        seen = self._deliveries.get(delivery)
        if seen and self._live(seen[1]):
            return Duplicate(seen[0], "delivery")
        latest = self._titles.get(title)
        if latest and self._live(latest[2]) and latest[0] == entry.fingerprint:
            return Duplicate(latest[1], "change")
        expires = self._clock.now() + horizon
        self._deliveries[delivery] = (entry.event_id, expires)
        self._titles[title] = (entry.fingerprint, entry.event_id, expires)
        self._append(entry)
        return Accepted(entry.event_id)

    def _append(self, entry: IngestedChange) -> None:
        entry_id = self._next_id()
        self._entries[entry_id] = attrs.evolve(entry, id=entry_id)
        self._added_at[entry_id] = self._clock.now()
        self._arrived.set()

    # the worker's side
    async def read(self, consumer: str, limit: int, wait_seconds: float) -> list[IngestedChange]:
        now = self._clock.now()
        claimed = [
            entry_id
            for entry_id, handed in self._handed.items()
            if handed.consumer != consumer and now - handed.at >= self._claim_after
        ][:limit]
        if not claimed:
            fresh = [entry_id for entry_id in self._entries if entry_id not in self._handed]
            if not fresh and wait_seconds > 0:
                self._arrived.clear()
                try:
                    await asyncio.wait_for(self._arrived.wait(), wait_seconds)
                except TimeoutError:
                    return []
                fresh = [entry_id for entry_id in self._entries if entry_id not in self._handed]
            claimed = fresh[:limit]
        for entry_id in claimed:
            self._handed[entry_id] = _Handed(consumer, now)
        return [self._entries[entry_id] for entry_id in claimed]

    def _take(self, entry: IngestedChange) -> bool:
        self._handed.pop(entry.id, None)
        self._added_at.pop(entry.id, None)
        return self._entries.pop(entry.id, None) is not None

    async def acknowledge(self, entries: Sequence[IngestedChange]) -> None:
        for entry in entries:
            self._take(entry)

    async def retry_later(self, entry: IngestedChange, attempt: Attempt, due: datetime) -> None:
        if self._take(entry):
            self._retries.append((due, attrs.evolve(entry, attempts=(*entry.attempts, attempt), id="")))

    async def promote_due(self, now: datetime, limit: int) -> int:
        due = sorted((r for r in self._retries if r[0] <= now), key=lambda r: r[0])[:limit]
        for retry in due:
            self._retries.remove(retry)
            self._append(retry[1])
        return len(due)

    async def dead_letter(self, entry: IngestedChange, attempt: Attempt) -> None:
        if not self._take(entry):
            return
        letter_id = self._next_id()
        self._dead[letter_id] = DeadLetter(
            id=letter_id,
            entry=attrs.evolve(entry, attempts=(*entry.attempts, attempt)),
            error=attempt.error,
            failure_class=attempt.failure_class,
            detail=attempt.detail,
            failed_at=attempt.at,
        )

    async def dead_letters(self, selection: DeadLetterFilter, limit: int) -> list[DeadLetter]:
        found = [
            letter
            for letter in self._dead.values()
            if (selection.platform is None or letter.entry.platform == selection.platform)
            and (selection.error is None or letter.error == selection.error)
            and (selection.since is None or letter.failed_at >= selection.since)
            and (selection.until is None or letter.failed_at < selection.until)
        ]
        return found[:limit]

    async def find_dead_letter(self, dead_letter_id: str) -> DeadLetter | None:
        return self._dead.get(dead_letter_id)

    async def replay(self, dead_letter_ids: Sequence[str], horizon: timedelta) -> ReplayOutcome:
        requeued, duplicates = [], []
        for letter_id in dead_letter_ids:
            letter = self._dead.pop(letter_id, None)
            if letter is None:
                continue
            entry = letter.entry
            title = (entry.platform, entry.change.platform_content_id) if entry.change else None
            seen = self._deliveries.get((entry.platform, entry.delivery_id))
            latest = self._titles.get(title) if title else None
            if (seen and self._live(seen[1]) and seen[0] != entry.event_id) or (
                latest and self._live(latest[2]) and latest[0] == entry.fingerprint and latest[1] != entry.event_id
            ):
                duplicates.append(letter_id)
                continue
            expires = self._clock.now() + horizon
            self._deliveries[(entry.platform, entry.delivery_id)] = (entry.event_id, expires)
            if title and (latest is None or not self._live(latest[2]) or latest[1] == entry.event_id):
                self._titles[title] = (entry.fingerprint, entry.event_id, expires)
            self._append(attrs.evolve(entry, id="", attempts=()))  # a replay starts its attempts again
            requeued.append(letter_id)
        return ReplayOutcome(tuple(requeued), tuple(duplicates))

    async def discard(self, dead_letter_id: str) -> DeadLetter | None:
        return self._dead.pop(dead_letter_id, None)

    async def backlog(self) -> IngestionBacklog:
        now = self._clock.now()
        oldest = min(self._added_at.values(), default=None)
        return IngestionBacklog(
            waiting=len(self._entries),
            retrying=len(self._retries),
            oldest_age_seconds=(now - oldest).total_seconds() if oldest else 0.0,
            dead_letters=len(self._dead),
        )
