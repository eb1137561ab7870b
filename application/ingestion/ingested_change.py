"""A delivery accepted into the ingestion stream, as the worker reads it back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from attrs import field, frozen

from domain.catalog.catalog_change import CatalogChange


@frozen
class Attempt:
    """One failed try at applying an entry: what went wrong, when, and which worker tried."""

    error: str  # a stable code: the domain error's code, or the exception's class name
    failure_class: str  # "permanent" or "transient"
    at: datetime
    consumer: str
    detail: str = ""


@frozen(hash=False)
class IngestedChange:
    """What the receiver appends (``id`` is empty until the stream gives it one) and the worker
    reads: our event id for the delivery, who sent it and under which delivery id, the fingerprint
    it was deduplicated by, the canonical change, and the trace context of the request (a W3C
    carrier: ``traceparent``, ``tracestate``). ``attempts`` grows with each transient failure;
    ``change`` is None for an entry that cannot be read back (``unreadable`` says why)."""

    event_id: str
    platform: str
    delivery_id: str
    fingerprint: str
    change: CatalogChange | None
    received_at: datetime
    attempts: tuple[Attempt, ...] = ()
    trace_context: Mapping[str, str] = field(factory=dict)
    id: str = ""  # the stream entry's id
    unreadable: str = ""
