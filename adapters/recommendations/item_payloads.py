"""A title's payload in the vector index, from the title as the catalog shows it now."""

from __future__ import annotations

from application.recommendations.vector_index_ports import ItemPayload
from domain.catalog.content import Content


def payload_of(offered: Content) -> ItemPayload:
    """``offered``: the title with only the availability offered now (``Content.offered_at``)."""
    offers = sorted({(a.platform, a.region) for a in offered.availability})
    return ItemPayload(
        kind=offered.kind.value,
        genres=tuple(offered.genres),
        platforms=tuple(sorted({platform for platform, _ in offers})),
        regions=tuple(sorted({region for _, region in offers})),
        offers=tuple(f"{platform}:{region}" for platform, region in offers),
    )
