"""The Netflix-style title feed's mapping to the catalog change (tests/data/webhooks/netflix-feed/)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.ingestion.normalisers.netflix_feed_normaliser import NORMALISER
from domain.catalog.catalog_change import ChangeType, EpisodeOf, ExternalIds, OfferedIn
from domain.catalog.content import ContentKind
from domain.ingestion.errors import PayloadRejected

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "webhooks" / "netflix-feed"


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / f"{name}.json").read_bytes())  # type: ignore[no-any-return]


def normalised(payload: dict[str, Any]) -> Any:
    return NORMALISER.normalise("netflix", json.dumps(payload).encode())


def test_a_movie_added_is_upserted_in_its_default_locale_with_windows_and_deep_links() -> None:
    delivery = normalised(example("title-added-movie"))
    change = delivery.change
    assert delivery.delivery_id == "nf-evt-3c1f9a52-8d4e-4b7a-9e61-0d2b7f4a1c11"
    assert (change.type, change.platform_content_id) == (ChangeType.CONTENT_UPSERTED, "81234567")
    assert change.occurred_at == datetime(2025, 12, 1, 10, tzinfo=UTC)  # eventTimeMs 1764583200000
    details = change.details
    assert (details.title, details.kind, details.release_year, details.runtime_seconds) == (
        "Dune",
        ContentKind.MOVIE,
        2021,
        9360,
    )
    assert details.synopsis.startswith("Paul Atreides, a brilliant")
    assert details.genres == ("action", "adventure", "science-fiction")  # "Sci-Fi", "Action & Adventure"
    assert details.external_ids == ExternalIds(imdb="tt1160419", tmdb="movie/438631")
    link = "https://www.netflix.com/title/81234567"
    assert change.availability == (
        OfferedIn("CA", link, datetime(2025, 12, 1, tzinfo=UTC)),
        OfferedIn("GB", link),
        OfferedIn("US", link, datetime(2025, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
    )


def test_the_default_locale_picks_the_name_and_synopsis() -> None:
    payload = example("title-added-movie")
    payload["title"]["defaultLocale"] = "fr-FR"
    details = normalised(payload).change.details
    assert details.synopsis.startswith("Paul Atreides, un jeune homme")
    payload["title"]["defaultLocale"] = "ja-JP"
    details = normalised(payload).change.details
    assert (details.title, details.synopsis) == ("デューン 砂の惑星", "")


def test_a_show_is_a_series_and_its_tmdb_id_a_tv_id() -> None:
    details = normalised(example("title-added-show")).change.details
    assert details.kind is ContentKind.SERIES
    assert details.external_ids.tmdb == "tv/70523"


def test_an_episode_belongs_to_its_show_and_links_to_watch() -> None:
    change = normalised(example("title-added-episode")).change
    assert change.details.kind is ContentKind.EPISODE
    assert change.details.episode_of == EpisodeOf("80100172", 1, 1)
    assert {offer.deep_link for offer in change.availability} == {"https://www.netflix.com/watch/80083977"}


def test_availability_updated_and_title_removed() -> None:
    changed = normalised(example("availability-updated")).change
    assert changed.type is ChangeType.AVAILABILITY_CHANGED
    assert [offer.region for offer in changed.availability] == ["CA", "GB"]  # the US left
    removed = normalised(example("title-removed")).change
    assert (removed.type, removed.platform_content_id) == (ChangeType.CONTENT_REMOVED, "81234567")


def test_title_updated_is_an_upsert_like_title_added() -> None:
    added = example("title-added-movie")
    updated = added | {"eventType": "TITLE_UPDATED"}
    assert normalised(updated).change == normalised(added).change


@pytest.mark.parametrize(
    ("title_change", "field"),
    [
        ({"titleId": "81234567"}, "title.titleId"),
        ({"titleId": 0}, "title.titleId"),
        ({"titleType": "FILM"}, "title.titleType"),
        ({"names": {}}, "title.names"),
        ({"defaultLocale": "de-DE"}, "title.names"),
        ({"names": {"en-US": " "}}, "title.names"),
        ({"releaseYear": 20210}, "title.releaseYear"),
        ({"runtime": 9360.5}, "title.runtime"),
        ({"genres": [{"id": 1, "name": "&"}]}, "title.genres"),
        ({"externalIds": {"imdbId": "nm0000123"}}, "title.externalIds.imdbId"),
        ({"showId": 80100172}, "title.showId"),
        ({"availability": [{"country": "USA"}]}, "title.availability[0].country"),
        ({"availability": [{"country": "US", "startMs": 1764547200}]}, None),  # seconds, not ms: 1970, accepted
        ({"availability": [{"country": "US", "startMs": 2, "endMs": 1}]}, "title.availability[0].endMs"),
        ({"availability": [{"country": "US", "endMs": 10**15}]}, "title.availability[0].endMs"),
        ({"availability": [{"country": "US"}, {"country": "us"}]}, "title.availability"),
    ],
)
def test_a_refusal_names_the_feeds_field(title_change: dict[str, Any], field: str | None) -> None:
    payload = example("title-added-movie")
    payload["title"] |= title_change
    if field is None:
        normalised(payload)
        return
    with pytest.raises(PayloadRejected) as refusal:
        normalised(payload)
    assert refusal.value.field == field


@pytest.mark.parametrize("missing", ["showId", "seasonNumber", "episodeNumber"])
def test_an_episode_without_its_place_in_the_show_is_refused(missing: str) -> None:
    payload = example("title-added-episode")
    del payload["title"][missing]
    with pytest.raises(PayloadRejected) as refusal:
        normalised(payload)
    assert refusal.value.field == f"title.{missing}"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"eventType": "TITLE_DELETED"}, "eventType"),
        ({"eventTimeMs": "1764583200000"}, "eventTimeMs"),
        ({"eventTimeMs": -1}, "eventTimeMs"),
        ({"eventId": None}, "eventId"),
    ],
)
def test_an_envelope_refusal_names_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(PayloadRejected) as refusal:
        normalised(example("title-removed") | change)
    assert refusal.value.field == field
