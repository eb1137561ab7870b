"""The ingestion stream: accepted deliveries waiting for the worker, the retries, the dead letters.

One stream (Redis Streams in production) behind two ports: the receiver's ``DeliveryIntake``
(deduplicate and append, or push back) and the worker's and operators' ``IngestionStream``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from attrs import frozen

from application.ingestion.ingested_change import Attempt, IngestedChange


@frozen
class Accepted:
    event_id: str


@frozen
class Duplicate:
    event_id: str  # the event the delivery duplicates
    level: str  # "delivery" (same delivery id) or "change" (same change as the title's latest, new id)


@frozen
class Busy:
    """The backlog is past its bound: nothing was appended; the sender should come back later."""

    backlog: int


Acceptance = Accepted | Duplicate | Busy


class DeliveryIntake(Protocol):
    async def accept(self, entry: IngestedChange, *, backlog_limit: int, horizon: timedelta) -> Acceptance:
        """In one atomic step: Busy when the stream holds ``backlog_limit`` entries or more; a
        Duplicate when the platform's delivery id was accepted within ``horizon``, or when the
        title's latest accepted change has the same fingerprint; else remember both for
        ``horizon`` and append ``entry``. ``entry.change`` is set."""


@frozen
class DeadLetter:
    id: str  # the dead-letter entry's own id
    entry: IngestedChange  # as it was when set aside, ``attempts`` holding the whole history
    error: str  # a stable code: unknown-series, unknown-title, unreadable-entry, or the transient error's
    failure_class: str  # "permanent" or "transient" (attempts ran out)
    detail: str
    failed_at: datetime


@frozen
class DeadLetterFilter:
    platform: str | None = None
    error: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@frozen
class ReplayOutcome:
    requeued: tuple[str, ...]  # dead-letter ids put back into the stream
    duplicates: tuple[str, ...]  # dead-letter ids dropped: another event carries the same delivery or change


@frozen
class IngestionBacklog:
    waiting: int  # entries in the stream (not yet applied or set aside), handed out or not
    retrying: int  # entries waiting for their next attempt
    oldest_age_seconds: float  # of the oldest entry waiting in the stream (0 when empty)
    dead_letters: int


class IngestionStream(Protocol):
    async def read(self, consumer: str, limit: int, wait_seconds: float) -> list[IngestedChange]:
        """Entries for ``consumer``: first those another consumer took and left unacknowledged
        for longer than the claim time (it died), then new ones (waiting up to ``wait_seconds``)."""

    async def acknowledge(self, entries: Sequence[IngestedChange]) -> None:
        """Done with them (applied, stale or already applied): they leave the stream."""

    async def retry_later(self, entry: IngestedChange, attempt: Attempt, due: datetime) -> None:
        """Atomically take the entry off the stream and schedule it again at ``due`` with
        ``attempt`` added to its history."""

    async def promote_due(self, now: datetime, limit: int) -> int:
        """Put retries that are due back into the stream; return how many."""

    async def dead_letter(self, entry: IngestedChange, attempt: Attempt) -> None:
        """Atomically take the entry off the stream and add it to the dead letters, with
        ``attempt`` as the last of its history. An entry already settled is not added twice."""

    async def dead_letters(self, selection: DeadLetterFilter, limit: int) -> list[DeadLetter]:
        """Oldest first."""

    async def find_dead_letter(self, dead_letter_id: str) -> DeadLetter | None: ...

    async def replay(self, dead_letter_ids: Sequence[str], horizon: timedelta) -> ReplayOutcome:
        """Put these dead letters back through deduplication and into the stream, atomically each
        (see ``redis-ingestion-format.md``); ids no longer there are neither requeued nor duplicates."""

    async def discard(self, dead_letter_id: str) -> DeadLetter | None:
        """Remove one dead letter; the one removed, or None if there was none."""

    async def backlog(self) -> IngestionBacklog: ...
