"""What the dead-letter endpoints read and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from msgspec import Meta, Struct

from application.ingestion.dead_letters import MAX_LIST, ReplayReport
from application.ingestion.ingested_change import Attempt
from application.ingestion.stream_ports import DeadLetter
from domain.shared.errors import InvalidInput

MAX_REPLAY_IDS = 1000
Text = Annotated[str, Meta(min_length=1, max_length=200)]


class DeadLetterArgs(Struct):
    platform: Text | None = None
    error: Text | None = None
    since: Text | None = None  # RFC 3339: failed at or after
    until: Text | None = None  # RFC 3339: failed before
    limit: Annotated[int, Meta(ge=1, le=MAX_LIST)] = 100


class ReplayIn(Struct, forbid_unknown_fields=True):
    """Either ``ids`` or a selection (``platform``, ``since``, ``until``: when they failed)."""

    ids: Annotated[list[Text], Meta(max_length=MAX_REPLAY_IDS)] | None = None
    platform: Text | None = None
    since: Text | None = None
    until: Text | None = None
    dry_run: bool = False


class AttemptOut(Struct):
    error: str
    failure_class: str
    at: str
    consumer: str
    detail: str


class DeadLetterOut(Struct):
    """``change`` is the canonical change (null for an entry that could not be read back:
    ``unreadable`` says why); ``attempts`` is the whole history, the last one why it is here."""

    id: str
    event_id: str
    platform: str
    delivery_id: str
    fingerprint: str
    error: str
    failure_class: str
    detail: str
    failed_at: str
    received_at: str
    attempts: list[AttemptOut]
    change: dict[str, Any] | None
    unreadable: str | None


class DeadLetterListOut(Struct):
    items: list[DeadLetterOut]


class ReplayOut(Struct):
    """How many went back into the stream (would, in a dry run), how many were dropped as
    duplicates of another event, and how many selected ones remain for another request."""

    requeued: int
    duplicates: int
    remaining: int
    dry_run: bool
    requeued_ids: list[str]
    duplicate_ids: list[str]


def instant(value: str | None, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.utcoffset() is None:
        raise InvalidInput(f"'{field}' must be an RFC 3339 time with an offset.", field=field)
    return parsed


def _attempt_out(attempt: Attempt) -> AttemptOut:
    return AttemptOut(
        error=attempt.error,
        failure_class=attempt.failure_class,
        at=attempt.at.isoformat(),
        consumer=attempt.consumer,
        detail=attempt.detail,
    )


def dead_letter_out(letter: DeadLetter) -> DeadLetterOut:
    entry = letter.entry
    return DeadLetterOut(
        id=letter.id,
        event_id=entry.event_id,
        platform=entry.platform,
        delivery_id=entry.delivery_id,
        fingerprint=entry.fingerprint,
        error=letter.error,
        failure_class=letter.failure_class,
        detail=letter.detail,
        failed_at=letter.failed_at.isoformat(),
        received_at=entry.received_at.isoformat(),
        attempts=[_attempt_out(a) for a in entry.attempts],
        change=entry.change.canonical() if entry.change else None,
        unreadable=entry.unreadable or None,
    )


def replay_out(report: ReplayReport) -> ReplayOut:
    return ReplayOut(
        requeued=len(report.requeued),
        duplicates=len(report.duplicates),
        remaining=report.remaining,
        dry_run=report.dry_run,
        requeued_ids=list(report.requeued),
        duplicate_ids=list(report.duplicates),
    )
