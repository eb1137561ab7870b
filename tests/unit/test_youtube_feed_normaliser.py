"""The YouTube-style video feed's mapping to the catalog change (tests/data/webhooks/youtube-feed/)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.ingestion.normalisers.youtube_feed_normaliser import EVERY_COUNTRY, NORMALISER
from domain.catalog.catalog_change import ChangeType
from domain.catalog.content import ContentKind
from domain.ingestion.errors import PayloadRejected

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "webhooks" / "youtube-feed"


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / f"{name}.json").read_bytes())  # type: ignore[no-any-return]


def normalised(payload: dict[str, Any]) -> Any:
    return NORMALISER.normalise("youtube", json.dumps(payload).encode())


def test_a_public_video_is_upserted_as_a_movie_with_a_watch_link() -> None:
    delivery = normalised(example("movie-region-allowed"))
    change = delivery.change
    assert delivery.delivery_id == "yt-evt-01JDZK9T4H6F2W8Y1R3P5S7U9X"
    assert (change.type, change.platform_content_id) == (ChangeType.CONTENT_UPSERTED, "Zr4Nw0Qe8kA")
    assert change.occurred_at == datetime(2025, 12, 2, 7, 30, tzinfo=UTC)
    details = change.details
    assert (details.title, details.kind, details.release_year, details.runtime_seconds, details.genres) == (
        "The Silent Harbor",
        ContentKind.MOVIE,
        2019,
        6734,  # PT1H52M14S
        ("drama",),
    )
    assert [offer.region for offer in change.availability] == ["CA", "GB", "US"]
    assert {offer.deep_link for offer in change.availability} == {"https://www.youtube.com/watch?v=Zr4Nw0Qe8kA"}


def test_blocked_regions_leave_every_other_country() -> None:
    change = normalised(example("video-published")).change
    regions = [offer.region for offer in change.availability]
    assert "CN" not in regions and "KP" not in regions
    assert len(regions) == len(EVERY_COUNTRY) - 2


def test_no_restriction_is_every_country_and_an_empty_allowed_list_none() -> None:
    payload = example("video-published")
    del payload["video"]["contentDetails"]["regionRestriction"]
    assert len(normalised(payload).change.availability) == len(EVERY_COUNTRY)
    payload["video"]["contentDetails"]["regionRestriction"] = {"allowed": []}
    assert normalised(payload).change.availability == ()


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [("PT2H35M", 9300), ("PT4M13S", 253), ("PT45S", 45), ("P1DT2H", 93600), ("P0D", None), ("PT0S", None)],
)
def test_iso_8601_durations_are_runtimes(duration: str, seconds: int | None) -> None:
    payload = example("video-published")
    payload["video"]["contentDetails"]["duration"] = duration
    assert normalised(payload).change.details.runtime_seconds == seconds


@pytest.mark.parametrize(
    "status",
    [
        {"privacyStatus": "private"},
        {"privacyStatus": "unlisted"},
        {"privacyStatus": "public", "uploadStatus": "deleted"},
        {"privacyStatus": "public", "uploadStatus": "rejected"},
        {"privacyStatus": "public", "uploadStatus": "failed"},
        {"privacyStatus": "public", "uploadStatus": "uploaded"},
    ],
)
def test_a_video_that_is_not_public_and_processed_is_removed(status: dict[str, str]) -> None:
    payload = example("video-published")
    payload["video"]["status"] = status
    change = normalised(payload).change
    assert (change.type, change.platform_content_id) == (ChangeType.CONTENT_REMOVED, "n9xhJrPXop4")


def test_the_examples_of_removal() -> None:
    assert normalised(example("video-made-private")).change.type is ChangeType.CONTENT_REMOVED
    deleted = normalised(example("video-deleted"))
    assert (deleted.change.type, deleted.change.platform_content_id, deleted.delivery_id) == (
        ChangeType.CONTENT_REMOVED,
        "n9xhJrPXop4",
        "yt-evt-01JE3B7C9D1F3G5H7J9K1L3M5N",
    )


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("kind",), "youtube#playlistNotification", "kind"),
        (("video", "kind"), "youtube#channel", "video.kind"),
        (("video", "id"), "too-short", "video.id"),
        (("video", "contentDetails", "duration"), "2h35m", "video.contentDetails.duration"),
        (("video", "contentDetails", "duration"), "PT", "video.contentDetails.duration"),
        (("video", "contentDetails", "duration"), "P3D", "video.contentDetails.duration"),
        (
            ("video", "contentDetails", "regionRestriction"),
            {"allowed": ["US"], "blocked": ["CN"]},
            "video.contentDetails.regionRestriction",
        ),
        (
            ("video", "contentDetails", "regionRestriction"),
            {"allowed": ["USA"]},
            "video.contentDetails.regionRestriction.allowed[0]",
        ),
        (("video", "snippet", "title"), "\t", "video.snippet.title"),
        (("video", "snippet", "publishedAt"), "2021-07-22", "video.snippet.publishedAt"),
        (("video", "status", "privacyStatus"), "deleted", "video.status.privacyStatus"),
        (("video", "statistics", "viewCount"), 41263789, "video.statistics.viewCount"),
    ],
)
def test_a_refusal_names_the_field(path: tuple[str, ...], value: Any, field: str) -> None:
    payload = example("video-published")
    node = payload
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    with pytest.raises(PayloadRejected) as refusal:
        normalised(payload)
    assert refusal.value.field == field
