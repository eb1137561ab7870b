"""What the ingestion worker needs from the catalog: apply one change, at most once per event."""

from __future__ import annotations

from typing import Protocol

from application.catalog.apply_catalog_change import AppliedChange, ApplyCatalogChangeCommand


class CatalogChangeApplier(Protocol):
    """The catalog's ``ApplyCatalogChange``. Raises UnappliableChange (UnknownSeries,
    UnknownTitle: permanent) or lets an infrastructure error through (transient)."""

    async def __call__(self, command: ApplyCatalogChangeCommand) -> AppliedChange: ...
