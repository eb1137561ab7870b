"""Entries of the ingestion stream for tests: a change a platform announced, as accepted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from application.catalog.apply_catalog_change import AppliedChange, ApplyCatalogChangeCommand, ChangeOutcome
from application.ingestion.ingested_change import IngestedChange
from domain.catalog.catalog_change import CatalogChange, OfferedIn
from domain.catalog.errors import UnknownTitle

OCCURRED = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def ingested(
    content_id: str = "dune-2021",
    *,
    platform: str = "netflix",
    delivery_id: str | None = None,
    regions: tuple[str, ...] = ("US",),
    occurred_at: datetime = OCCURRED,
    received_at: datetime | None = None,
    trace_context: dict[str, str] | None = None,
) -> IngestedChange:
    """An availability change for ``content_id`` on ``platform`` (``regions`` vary the change)."""
    change = CatalogChange.availability_changed(
        platform,
        content_id,
        occurred_at,
        tuple(OfferedIn.of(region, f"https://{platform}.example/{content_id}") for region in regions),
    )
    return IngestedChange(
        event_id=str(uuid.uuid4()),
        platform=platform,
        delivery_id=delivery_id or f"msg_{uuid.uuid4().hex}",
        fingerprint=change.fingerprint(),
        change=change,
        received_at=received_at or datetime.now(UTC),
        trace_context=trace_context or {},
    )


class RefusingCatalog:
    """A CatalogChangeApplier until the catalog's is merged in: applies every change (records its
    event id) except those of the titles in ``unknown``, which it refuses as UnknownTitle."""

    def __init__(self, *unknown: str) -> None:
        self.unknown = set(unknown)
        self.applied: list[str] = []

    async def __call__(self, command: ApplyCatalogChangeCommand) -> AppliedChange:
        if command.change.platform_content_id in self.unknown:
            raise UnknownTitle(f"Title '{command.change.platform_content_id}' is unknown on {command.change.platform}.")
        if command.change_id in self.applied:
            return AppliedChange(ChangeOutcome.ALREADY_APPLIED)
        self.applied.append(command.change_id)
        return AppliedChange(ChangeOutcome.APPLIED)
