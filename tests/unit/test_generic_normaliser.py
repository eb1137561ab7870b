"""The canonical format's mapping to the catalog change (tests/data/webhooks/generic/)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.ingestion.normalisers.generic_normaliser import NORMALISER
from domain.catalog.catalog_change import ChangeType, EpisodeOf, ExternalIds, OfferedIn
from domain.catalog.content import ContentKind
from domain.ingestion.errors import PayloadRejected

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "webhooks" / "generic"


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / f"{name}.json").read_bytes())  # type: ignore[no-any-return]


def normalised(payload: dict[str, Any]) -> Any:
    return NORMALISER.normalise("acme-tv", json.dumps(payload).encode())


def test_a_movie_is_upserted_with_its_details_ids_and_windows() -> None:
    delivery = normalised(example("content-upserted-movie"))
    change = delivery.change
    assert delivery.delivery_id == "evt-2025-12-01-0001"
    assert (change.type, change.platform, change.platform_content_id) == (
        ChangeType.CONTENT_UPSERTED,
        "acme-tv",
        "dune-2021",
    )
    assert change.occurred_at == datetime(2025, 12, 1, 10, tzinfo=UTC)
    details = change.details
    assert (details.title, details.kind, details.release_year, details.runtime_seconds) == (
        "Dune",
        ContentKind.MOVIE,
        2021,
        9360,
    )
    assert details.genres == ("adventure", "science-fiction")
    assert details.external_ids == ExternalIds(imdb="tt1160419", tmdb="movie/438631")
    assert change.availability == (
        OfferedIn("FR", "https://watch.example.com/fr/title/dune-2021", datetime(2025, 12, 14, 23, tzinfo=UTC)),
        OfferedIn(
            "US", "https://watch.example.com/title/dune-2021", None, datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
        ),
    )


def test_an_episode_names_its_series_season_and_number() -> None:
    details = normalised(example("content-upserted-episode")).change.details
    assert details.kind is ContentKind.EPISODE
    assert details.episode_of == EpisodeOf("dark", 1, 1)


def test_an_availability_change_and_a_removal() -> None:
    changed = normalised(example("availability-changed")).change
    assert changed.type is ChangeType.AVAILABILITY_CHANGED
    assert [offer.region for offer in changed.availability] == ["FR"]
    removed = normalised(example("content-removed")).change
    assert (removed.type, removed.platform_content_id, removed.availability) == (
        ChangeType.CONTENT_REMOVED,
        "dune-2021",
        (),
    )


def test_the_event_id_is_optional() -> None:
    payload = example("content-removed")
    del payload["id"]
    assert normalised(payload).delivery_id is None


def test_text_genres_and_regions_are_normalised() -> None:
    payload = example("content-upserted-movie")
    payload["data"] |= {"title": "  Dune \n Part One ", "genres": ["Science Fiction", "ADVENTURE"]}
    payload["data"]["availability"] = [{"region": "us", "deep_link": "https://watch.example.com/x"}]
    change = normalised(payload).change
    assert change.details.title == "Dune Part One"
    assert change.details.genres == ("adventure", "science-fiction")
    assert change.availability[0].region == "US"


@pytest.mark.parametrize(
    ("example_name", "change", "field"),
    [
        ("content-upserted-movie", {"release_year": 2200}, "data.release_year"),
        ("content-upserted-movie", {"release_year": "2021"}, "data.release_year"),
        ("content-upserted-movie", {"runtime_seconds": 0}, "data.runtime_seconds"),
        ("content-upserted-movie", {"kind": "podcast"}, "data.kind"),
        ("content-upserted-movie", {"title": "   "}, "data.title"),
        ("content-upserted-movie", {"title": "Dune\x00"}, "data.title"),
        ("content-upserted-movie", {"genres": ["sci/fi"]}, "data.genres"),
        ("content-upserted-movie", {"external_ids": {"imdb": "1160419"}}, "data.external_ids.imdb"),
        ("content-upserted-movie", {"season_number": 1}, "data.season_number"),
        ("content-upserted-movie", {"platform_content_id": "has space"}, "data.platform_content_id"),
        ("content-upserted-episode", {"episode_number": None}, "data.episode_number"),
        ("content-upserted-episode", {"season_number": -1}, "data.season_number"),
    ],
)
def test_a_refusal_names_the_field(example_name: str, change: dict[str, Any], field: str) -> None:
    payload = example(example_name)
    payload["data"] |= change
    with pytest.raises(PayloadRejected) as refusal:
        normalised(payload)
    assert refusal.value.field == field


@pytest.mark.parametrize(
    ("availability", "field"),
    [
        ([{"region": "USA", "deep_link": "https://x.example/1"}], "data.availability[0].region"),
        ([{"region": "US", "deep_link": "/relative"}], "data.availability[0].deep_link"),
        (
            [{"region": "US", "deep_link": "https://x.example/1", "available_from": "2026-01-01T00:00:00"}],
            "data.availability[0].available_from",
        ),
        (
            [
                {"region": "US", "deep_link": "https://x.example/1"},
                {
                    "region": "FR",
                    "deep_link": "https://x.example/1",
                    "available_from": "2026-02-01T00:00:00Z",
                    "available_until": "2026-01-01T00:00:00Z",
                },
            ],
            "data.availability[1].available_until",
        ),
        (
            [
                {"region": "US", "deep_link": "https://x.example/1"},
                {"region": "us", "deep_link": "https://x.example/2"},
            ],
            "data.availability",
        ),
    ],
)
def test_a_bad_availability_entry_is_named_by_its_index(availability: list[dict[str, Any]], field: str) -> None:
    payload = example("availability-changed")
    payload["data"]["availability"] = availability
    with pytest.raises(PayloadRejected) as refusal:
        normalised(payload)
    assert refusal.value.field == field


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "content.deleted"}, "type"),
        ({"occurred_at": "2026-01-01T00:00:00"}, "occurred_at"),
        ({"occurred_at": 1767225600}, "occurred_at"),
        ({"id": ""}, "id"),
    ],
)
def test_an_envelope_refusal_names_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(PayloadRejected) as refusal:
        normalised(example("content-removed") | change)
    assert refusal.value.field == field
