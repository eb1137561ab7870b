"""Apply a platform's announced change to the catalog: resolve the title, apply idempotently and
in order per title, in one transaction."""

from __future__ import annotations

from enum import Enum
from uuid import UUID

from attrs import frozen

from domain.catalog.catalog_change import CatalogChange


@frozen
class ApplyCatalogChangeCommand:
    change_id: str  # the ingestion event id: a change id is applied at most once
    change: CatalogChange


class ChangeOutcome(Enum):
    APPLIED = "applied"
    STALE = "stale"  # the title already has a newer change from this platform: nothing written
    ALREADY_APPLIED = "already_applied"  # this change id was applied before (a redelivery)


@frozen
class AppliedChange:
    outcome: ChangeOutcome
    content_id: UUID | None = None  # the title the change resolved to


# ApplyCatalogChange (the catalog helper builds it here): resolution by external id, else by the
# platform's content id, else by normalised title + year + kind (episodes: series + season +
# episode), else a new title; raises UnknownSeries / UnknownTitle.
