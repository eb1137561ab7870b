"""Platforms' announced changes, built the way the normalisers build them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.catalog.catalog_change import CatalogChange, EpisodeOf, ExternalIds, OfferedIn, TitleDetails
from domain.catalog.content import ContentKind

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def offers(platform: str, platform_id: str, *regions: str, until: datetime | None = None) -> list[OfferedIn]:
    return [
        OfferedIn.of(region, f"https://{platform}.example/title/{platform_id}", available_until=until)
        for region in regions
    ]


def upserted(
    platform: str,
    platform_id: str,
    title: str,
    *,
    minute: int = 0,
    year: int = 2021,
    kind: ContentKind = ContentKind.MOVIE,
    regions: tuple[str, ...] = ("US",),
    synopsis: str = "",
    imdb: str | None = None,
    tmdb: str | None = None,
    episode_of: EpisodeOf | None = None,
    until: datetime | None = None,
) -> CatalogChange:
    details = TitleDetails.of(
        title=title,
        kind=kind,
        release_year=year,
        genres=["drama"],
        synopsis=synopsis,
        external_ids=ExternalIds(imdb=imdb, tmdb=tmdb),
        runtime_seconds=3600,
        episode_of=episode_of,
    )
    return CatalogChange.upserted(
        platform, platform_id, at(minute), details, offers(platform, platform_id, *regions, until=until)
    )


def episode(
    platform: str, platform_id: str, series_platform_id: str, season: int, number: int, *, minute: int = 0
) -> CatalogChange:
    return upserted(
        platform,
        platform_id,
        f"Chapter {number}",
        minute=minute,
        kind=ContentKind.EPISODE,
        episode_of=EpisodeOf(series_platform_id, season, number),
    )


def removed(platform: str, platform_id: str, *, minute: int = 0) -> CatalogChange:
    return CatalogChange.removed(platform, platform_id, at(minute))


def availability_changed(platform: str, platform_id: str, *regions: str, minute: int = 0) -> CatalogChange:
    return CatalogChange.availability_changed(
        platform, platform_id, at(minute), offers(platform, platform_id, *regions)
    )
