from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.catalog.content import Availability, Content, ContentKind
from domain.catalog.external_ids import ExternalIds

DEMO_CATALOG = Path(__file__).with_name("demo_catalog.jsonl.gz")


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def availability_from_json(record: dict[str, Any]) -> Availability:
    return Availability(
        platform=record["platform"],
        region=record["region"],
        deep_link=record["deep_link"],
        platform_content_id=record.get("platform_content_id"),
        available_from=_instant(record.get("available_from")),
        available_until=_instant(record.get("available_until")),
    )


def content_from_json(record: dict[str, Any]) -> Content:
    def optional_uuid(value: str | None) -> UUID | None:
        return UUID(value) if value else None

    return Content(
        id=UUID(record["id"]),
        title=record["title"],
        kind=ContentKind(record["kind"]),
        release_year=int(record["release_year"]),
        genres=tuple(record["genres"]),
        synopsis=record["synopsis"],
        availability=tuple(availability_from_json(a) for a in record["availability"]),
        runtime_seconds=record["runtime_seconds"],
        series_id=optional_uuid(record["series_id"]),
        season_number=record["season_number"],
        episode_number=record["episode_number"],
        external_ids=ExternalIds(**record.get("external_ids", {})),
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def content_to_json(item: Content) -> dict[str, Any]:
    """The record ``content_from_json`` reads back (``withdrawn_at`` is not part of the file)."""
    return {
        "id": str(item.id),
        "title": item.title,
        "kind": item.kind.value,
        "release_year": item.release_year,
        "genres": list(item.genres),
        "synopsis": item.synopsis,
        "availability": [
            {
                "platform": a.platform,
                "region": a.region,
                "deep_link": a.deep_link,
                "platform_content_id": a.platform_content_id,
                "available_from": _iso(a.available_from),
                "available_until": _iso(a.available_until),
            }
            for a in item.availability
        ],
        "runtime_seconds": item.runtime_seconds,
        "series_id": str(item.series_id) if item.series_id else None,
        "season_number": item.season_number,
        "episode_number": item.episode_number,
        "external_ids": item.external_ids.known(),
    }


def read_catalog(path: Path = DEMO_CATALOG) -> Iterator[Content]:
    """Content items from a JSON-lines file (gzip-compressed when the name ends in .gz)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield content_from_json(json.loads(line))
