"""What both Qdrant adapters share: the payload of an item point, the filter conditions an
``ItemFilter`` means (as plain key/value pairs each adapter turns into its client's classes), and
the float32 encoding of a vector in the replication log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from application.recommendations.vector_index_ports import ItemFilter, ItemPayload

DOT = "dot"  # the raw vector: user→item ranking by dot product, and what viewer_vector answers
COS = "cos"  # the same vector, which Qdrant normalises on write: item-item and viewer-viewer cosine

# Keyword payload indexes: every field a filter may name.
INDEXED_FIELDS = ("kind", "genres", "platforms", "regions", "offers")


def payload_of(payload: ItemPayload | None) -> dict[str, Any]:
    if payload is None:
        return {}
    return {
        "kind": payload.kind,
        "genres": list(payload.genres),
        "platforms": list(payload.platforms),
        "regions": list(payload.regions),
        "offers": list(payload.offers),
    }


def item_payload(raw: dict[str, Any] | None) -> ItemPayload | None:
    if not raw or "kind" not in raw:
        return None
    return ItemPayload(
        kind=raw["kind"],
        genres=tuple(raw.get("genres", ())),
        platforms=tuple(raw.get("platforms", ())),
        regions=tuple(raw.get("regions", ())),
        offers=tuple(raw.get("offers", ())),
    )


def must_match(where: ItemFilter) -> list[tuple[str, str | tuple[str, ...]]]:
    """The ``must`` conditions: (field, value) for an exact keyword, (field, values) for any of."""
    conditions: list[tuple[str, str | tuple[str, ...]]] = []
    if where.kind is not None:
        conditions.append(("kind", where.kind))
    if where.platform is not None and where.region is not None:
        conditions.append(("offers", f"{where.platform}:{where.region}"))
    elif where.platform is not None:
        conditions.append(("platforms", where.platform))
    elif where.region is not None:
        conditions.append(("regions", where.region))
    if where.genres_any:
        conditions.append(("genres", tuple(where.genres_any)))
    return conditions


def float32_bytes(vector: Sequence[float]) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_float32_bytes(raw: bytes) -> list[float]:
    return [float(x) for x in np.frombuffer(raw, dtype="<f4")]
