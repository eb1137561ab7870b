"""Key names and entry fields of webhook ingestion on Redis (``redis-ingestion-format.md``):
what the receiver appends and the worker reads back. The receiving side's Lua script and the
worker's scripts use the same names; change them here and in the format document together."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from adapters.shared.trace_carrier import trace_carrier
from application.ingestion.ingested_change import Attempt, IngestedChange
from application.ingestion.stream_ports import DeadLetter
from domain.catalog.catalog_change import CatalogChange
from domain.catalog.errors import InvalidCatalogChange

STREAM = "mg:ing:changes"
GROUP = "catalog"
DEAD_LETTERS = "mg:ing:dead"
RETRIES = "mg:ing:retry"  # sorted set: score = when the entry is due again (epoch ms), member = its fields as JSON


def delivery_key(platform: str, delivery_id: str) -> str:
    """Level 1 of deduplication: this platform's delivery id (the sender's retry of one delivery)."""
    return f"mg:ing:seen:d:{platform}:{_digest(delivery_id)}"


def title_key(platform: str, platform_content_id: str) -> str:
    """Level 2: the fingerprint of the latest change accepted for this platform's title, and its
    event id (``"<fingerprint> <event id>"``): the same change re-sent under a new id."""
    return f"mg:ing:seen:t:{platform}:{_digest(platform_content_id)}"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def ms(at: datetime) -> str:
    return str(int(at.timestamp() * 1000))


def _at(ms: str) -> datetime:
    return datetime.fromtimestamp(int(ms) / 1000, UTC)


def entry_fields(entry: IngestedChange) -> dict[str, str]:
    """The stream entry's fields for ``entry`` (its ``change`` must be set)."""
    assert entry.change is not None
    fields = {
        "event": entry.event_id,
        "platform": entry.platform,
        "delivery": entry.delivery_id,
        "fp": entry.fingerprint,
        "change": entry.change.to_json(),
        "rcv": ms(entry.received_at),
        "att": attempts_field(entry.attempts),
    }
    if traceparent := entry.trace_context.get("traceparent"):
        fields["tp"] = traceparent
        if tracestate := entry.trace_context.get("tracestate"):
            fields["ts"] = tracestate
    return fields


def read_entry(entry_id: str, raw: Mapping[Any, Any]) -> IngestedChange:
    """An entry read back; one that cannot be read has ``change`` None and ``unreadable`` set
    (a permanent failure: the worker sets it aside)."""
    fields = {text(k): text(v) for k, v in raw.items()}
    context = trace_carrier(fields.get("tp"), fields.get("ts"))
    try:
        attempts = tuple(_attempt(a) for a in json.loads(fields.get("att") or "[]"))
        received_at = _at(fields["rcv"])
        event_id, platform, delivery, fingerprint = (
            fields["event"],
            fields["platform"],
            fields["delivery"],
            fields["fp"],
        )
    except (KeyError, ValueError, TypeError) as error:
        return IngestedChange(
            event_id=fields.get("event", ""),
            platform=fields.get("platform", ""),
            delivery_id=fields.get("delivery", ""),
            fingerprint=fields.get("fp", ""),
            change=None,
            received_at=datetime.now(UTC),
            trace_context=context,
            id=entry_id,
            unreadable=f"unreadable entry: {error!r}",
        )
    try:
        change: CatalogChange | None = CatalogChange.from_json(fields.get("change", ""))
        unreadable = ""
    except InvalidCatalogChange as error:
        change, unreadable = None, f"unreadable change: {error.detail}"
    return IngestedChange(
        event_id=event_id,
        platform=platform,
        delivery_id=delivery,
        fingerprint=fingerprint,
        change=change,
        received_at=received_at,
        attempts=attempts,
        trace_context=context,
        id=entry_id,
        unreadable=unreadable,
    )


def _attempt_json(attempt: Attempt) -> dict[str, str]:
    return {
        "error": attempt.error,
        "class": attempt.failure_class,
        "at": ms(attempt.at),
        "consumer": attempt.consumer,
        "detail": attempt.detail,
    }


def _attempt(raw: Mapping[str, str]) -> Attempt:
    return Attempt(
        error=raw["error"],
        failure_class=raw["class"],
        at=_at(raw["at"]),
        consumer=raw["consumer"],
        detail=raw.get("detail", ""),
    )


# The worker's side: attempts, dead letters.
DEAD_LETTER_FIELDS = ("error", "class", "detail", "failed", "from")


def attempts_field(attempts: tuple[Attempt, ...]) -> str:
    """The ``att`` field for ``attempts``."""
    return json.dumps([_attempt_json(a) for a in attempts], separators=(",", ":"))


def read_dead_letter(letter_id: str, raw: Mapping[Any, Any]) -> DeadLetter:
    """A dead letter read back: the entry it was (``id`` the stream entry it came from), and why."""
    fields = {text(k): text(v) for k, v in raw.items()}
    entry = read_entry(fields.get("from", ""), {k: v for k, v in fields.items() if k not in DEAD_LETTER_FIELDS})
    try:
        failed_at = _at(fields["failed"])
    except (KeyError, ValueError):
        failed_at = entry.received_at
    return DeadLetter(
        id=letter_id,
        entry=entry,
        error=fields.get("error", "unreadable-entry"),
        failure_class=fields.get("class", "permanent"),
        detail=fields.get("detail", ""),
        failed_at=failed_at,
    )
