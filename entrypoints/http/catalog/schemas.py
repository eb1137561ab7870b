from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta, Struct

from domain.catalog.content import Content
from domain.catalog.search import MAX_PAGE, MAX_PAGE_SIZE, MAX_YEAR, MIN_YEAR, SearchPage

Slug = Annotated[str, Meta(min_length=1, max_length=40)]


class AvailabilityOut(Struct):
    platform: str
    region: str
    deep_link: str
    platform_content_id: str | None = None  # the platform's own id for the title
    available_from: datetime | None = None  # UTC; none: since ever
    available_until: datetime | None = None  # UTC, exclusive; none: until further notice


class ExternalIdsOut(Struct, omit_defaults=True):
    imdb: str | None = None
    tmdb: str | None = None
    eidr: str | None = None


class ContentOut(Struct):
    id: str
    title: str
    kind: str
    runtime_seconds: int | None
    release_year: int
    genres: list[str]
    synopsis: str
    availability: list[AvailabilityOut]
    external_ids: ExternalIdsOut
    series_id: str | None = None
    season_number: int | None = None
    episode_number: int | None = None


class SearchArgs(Struct):
    q: Annotated[str, Meta(min_length=1, examples=["dune"])]
    genre: Slug | None = None
    platform: Slug | None = None
    year: Annotated[int, Meta(ge=MIN_YEAR, le=MAX_YEAR)] | None = None
    page: Annotated[int, Meta(ge=1, le=MAX_PAGE)] = 1
    page_size: Annotated[int, Meta(ge=1, le=MAX_PAGE_SIZE)] = 20


class SearchPageOut(Struct):
    items: list[ContentOut]
    page: int
    page_size: int
    total: int
    total_pages: int
    # Names this answer: send it with POST /api/v1/search/clicks when the viewer opens a result.
    search_id: str | None
    # True: at least `total` matches ("1,000+"); the search stopped counting there, and total_pages
    # are the pages it ranked.
    total_is_lower_bound: bool


def content_out(item: Content) -> ContentOut:
    return ContentOut(
        id=str(item.id),
        title=item.title,
        kind=item.kind.value,
        runtime_seconds=item.runtime_seconds,
        release_year=item.release_year,
        genres=list(item.genres),
        synopsis=item.synopsis,
        availability=[
            AvailabilityOut(
                platform=a.platform,
                region=a.region,
                deep_link=a.deep_link,
                platform_content_id=a.platform_content_id,
                available_from=a.available_from,
                available_until=a.available_until,
            )
            for a in item.availability
        ],
        external_ids=ExternalIdsOut(**item.external_ids.known()),
        series_id=str(item.series_id) if item.series_id else None,
        season_number=item.season_number,
        episode_number=item.episode_number,
    )


def search_page_out(page: SearchPage) -> SearchPageOut:
    return SearchPageOut(
        items=[content_out(item) for item in page.items],
        page=page.page,
        page_size=page.page_size,
        total=page.total,
        total_pages=page.total_pages,
        search_id=None if page.search_id is None else str(page.search_id),
        total_is_lower_bound=page.total_is_lower_bound,
    )
