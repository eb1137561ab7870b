"""A Netflix-style title feed (``netflix-feed``): one event per delivery, camelCase, numeric
title ids, epoch-millisecond times, names and synopses per locale, country availability windows.
The JSON Schema is ``docs/webhooks/netflix-feed.schema.json``::

    {"eventId": "…", "eventType": "TITLE_ADDED" | "TITLE_UPDATED" | "TITLE_REMOVED" | "AVAILABILITY_UPDATED",
     "eventTimeMs": 1764583200000, "feedGeneratedAtMs": 1764583201234, "title": {"titleId": 80117401, …}}

Deep links are built from the ids (``https://www.netflix.com/title/<id>``, ``/watch/<id>`` for an
episode). ``feedGeneratedAtMs``, ``popularityRank`` and ``boxArtUrl`` change from one export to the
next and say nothing about the title: they never reach the change, so never its fingerprint.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from adapters.ingestion.normalisers.payloads import checked, decoded, genre_slug
from application.ingestion.normaliser_ports import NormalisedDelivery
from domain.catalog.catalog_change import (
    MAX_AVAILABILITY,
    MAX_GENRES,
    MAX_YEAR,
    MIN_YEAR,
    CatalogChange,
    EpisodeOf,
    ExternalIds,
    OfferedIn,
    TitleDetails,
)
from domain.catalog.content import ContentKind
from domain.ingestion.errors import PayloadRejected

EpochMs = Annotated[int, Meta(ge=0, le=4_102_444_800_000, description="Milliseconds since 1970-01-01T00:00:00Z")]
TitleId = Annotated[int, Meta(ge=1, le=2**53 - 1)]
EventId = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")]
Locale = Annotated[str, Meta(min_length=2, max_length=35, examples=["en-US"])]
TitleType = Literal["MOVIE", "SHOW", "EPISODE"]
KINDS = {"MOVIE": ContentKind.MOVIE, "SHOW": ContentKind.SERIES, "EPISODE": ContentKind.EPISODE}
# The feed's genre names where they differ from the catalog's slugs; "A & B" is two genres.
GENRE_ALIASES = {"sci-fi": "science-fiction", "thrillers": "thriller", "dramas": "drama", "comedies": "comedy"}


class NetflixGenre(msgspec.Struct, rename="camel"):
    id: int
    name: str


class NetflixExternalIds(msgspec.Struct, omit_defaults=True, frozen=True, rename="camel"):
    imdb_id: str | None = None
    tmdb_id: Annotated[int, Meta(ge=1, le=9_999_999_999)] | None = None
    eidr: str | None = None


class NetflixWindow(msgspec.Struct, omit_defaults=True, rename="camel"):
    """The title is watchable in ``country`` from ``startMs`` until ``endMs`` (either open)."""

    country: Annotated[str, Meta(description="ISO 3166-1 alpha-2, e.g. US")]
    start_ms: EpochMs | None = None
    end_ms: EpochMs | None = None


Windows = Annotated[list[NetflixWindow], Meta(max_length=MAX_AVAILABILITY)]


class NetflixTitle(msgspec.Struct, omit_defaults=True, rename="camel"):
    """A movie, show or episode as the feed describes it now."""

    title_id: TitleId
    title_type: TitleType
    names: Annotated[dict[Locale, str], Meta(min_length=1, description="The title's name per locale")]
    release_year: Annotated[int, Meta(ge=MIN_YEAR, le=MAX_YEAR)]
    availability: Windows
    default_locale: Locale = "en-US"
    synopses: dict[Locale, str] = {}
    runtime: Annotated[int, Meta(ge=1, le=48 * 3600, description="Seconds")] | None = None
    genres: Annotated[list[NetflixGenre], Meta(max_length=MAX_GENRES)] = []
    external_ids: NetflixExternalIds = NetflixExternalIds()
    # EPISODE only, all three: the show's titleId and where the episode sits in it
    show_id: TitleId | None = None
    season_number: Annotated[int, Meta(ge=0, le=1000)] | None = None
    episode_number: Annotated[int, Meta(ge=0, le=100_000)] | None = None
    # volatile or not the catalog's: read so their types are checked, never part of the change
    maturity_rating: str | None = None
    popularity_rank: int | None = None
    box_art_url: str | None = None


class NetflixTitleRef(msgspec.Struct, rename="camel"):
    title_id: TitleId


class NetflixAvailability(msgspec.Struct, rename="camel"):
    """The title's countries now, replacing the previous ones (empty: none left)."""

    title_id: TitleId
    title_type: TitleType
    availability: Windows


class TitleAdded(msgspec.Struct, rename="camel", tag_field="eventType", tag="TITLE_ADDED"):
    event_id: EventId
    event_time_ms: EpochMs
    title: NetflixTitle
    feed_generated_at_ms: EpochMs | None = None


class TitleUpdated(TitleAdded, tag="TITLE_UPDATED"):
    pass


class TitleRemoved(msgspec.Struct, rename="camel", tag_field="eventType", tag="TITLE_REMOVED"):
    event_id: EventId
    event_time_ms: EpochMs
    title: NetflixTitleRef
    feed_generated_at_ms: EpochMs | None = None


class AvailabilityUpdated(msgspec.Struct, rename="camel", tag_field="eventType", tag="AVAILABILITY_UPDATED"):
    event_id: EventId
    event_time_ms: EpochMs
    title: NetflixAvailability
    feed_generated_at_ms: EpochMs | None = None


NetflixEvent = TitleAdded | TitleUpdated | TitleRemoved | AvailabilityUpdated
PAYLOAD = NetflixEvent

_FIELDS = {
    "platform_content_id": "title.titleId",
    "title": "title.names",
    "kind": "title.titleType",
    "release_year": "title.releaseYear",
    "runtime_seconds": "title.runtime",
    "genres": "title.genres",
    "synopsis": "title.synopses",
    "availability": "title.availability",
    "external_ids.imdb": "title.externalIds.imdbId",
    "external_ids.tmdb": "title.externalIds.tmdbId",
    "external_ids.eidr": "title.externalIds.eidr",
    "series_platform_content_id": "title.showId",
    "season_number": "title.seasonNumber",
    "episode_number": "title.episodeNumber",
}
_WINDOW_FIELDS = {
    "availability.region": "country",
    "availability.available_from": "startMs",
    "availability.available_until": "endMs",
}


def instant(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)


def deep_link(title_id: int, title_type: TitleType) -> str:
    return f"https://www.netflix.com/{'watch' if title_type == 'EPISODE' else 'title'}/{title_id}"


def offers(title_id: int, title_type: TitleType, windows: list[NetflixWindow]) -> list[OfferedIn]:
    link = deep_link(title_id, title_type)
    return [
        checked(
            lambda w=w: OfferedIn.of(
                w.country,
                link,
                None if w.start_ms is None else instant(w.start_ms),
                None if w.end_ms is None else instant(w.end_ms),
            ),
            at=f"title.availability[{index}]",
            fields=_WINDOW_FIELDS,
        )
        for index, w in enumerate(windows)
    ]


def genres(items: list[NetflixGenre]) -> list[str]:
    slugs = [genre_slug(part) for genre in items for part in genre.name.split("&")]
    return [GENRE_ALIASES.get(slug, slug) for slug in slugs]


def localised(texts: dict[str, str], locale: str, field: str, *, required: bool) -> str:
    if locale in texts:
        return texts[locale]
    if required:
        raise PayloadRejected(f"'{field}' has no entry for the defaultLocale '{locale}'.", field=field)
    return ""


def episode_of(title: NetflixTitle) -> EpisodeOf | None:
    given = {"showId": title.show_id, "seasonNumber": title.season_number, "episodeNumber": title.episode_number}
    if title.title_type != "EPISODE":
        if extra := [name for name, value in given.items() if value is not None]:
            raise PayloadRejected(f"Only an EPISODE has '{extra[0]}'.", field=f"title.{extra[0]}")
        return None
    if title.show_id is None or title.season_number is None or title.episode_number is None:
        missing = next(name for name, value in given.items() if value is None)
        raise PayloadRejected(
            "An EPISODE carries 'showId', 'seasonNumber' and 'episodeNumber'.", field=f"title.{missing}"
        )
    return EpisodeOf(str(title.show_id), title.season_number, title.episode_number)


def external_ids(title: NetflixTitle) -> ExternalIds:
    ids = title.external_ids
    # TMDB numbers movies and TV shows separately; its episodes have no id of their own worth matching on.
    tmdb = None
    if ids.tmdb_id is not None and title.title_type != "EPISODE":
        tmdb = f"{'movie' if title.title_type == 'MOVIE' else 'tv'}/{ids.tmdb_id}"
    return ExternalIds(imdb=ids.imdb_id, tmdb=tmdb, eidr=ids.eidr)


def details(title: NetflixTitle) -> TitleDetails:
    name = localised(title.names, title.default_locale, "title.names", required=True)
    synopsis = localised(title.synopses, title.default_locale, "title.synopses", required=False)
    episode = episode_of(title)
    return checked(
        lambda: TitleDetails.of(
            title=name,
            kind=KINDS[title.title_type],
            release_year=title.release_year,
            genres=genres(title.genres),
            synopsis=synopsis,
            external_ids=external_ids(title),
            runtime_seconds=title.runtime,
            episode_of=episode,
        ),
        fields=_FIELDS,
    )


class NetflixFeedNormaliser:
    format = "netflix-feed"

    def normalise(self, platform: str, body: bytes) -> NormalisedDelivery:
        event: NetflixEvent = decoded(body, NetflixEvent)
        return NormalisedDelivery(change=self._change(platform, event), delivery_id=event.event_id)

    @staticmethod
    def _change(platform: str, event: NetflixEvent) -> CatalogChange:
        at, title_id = instant(event.event_time_ms), event.title.title_id
        content_id = str(title_id)
        if isinstance(event, TitleAdded):  # TITLE_UPDATED too
            title = event.title
            about, regions = details(title), offers(title_id, title.title_type, title.availability)
            return checked(lambda: CatalogChange.upserted(platform, content_id, at, about, regions), fields=_FIELDS)
        if isinstance(event, AvailabilityUpdated):
            regions = offers(title_id, event.title.title_type, event.title.availability)
            return checked(
                lambda: CatalogChange.availability_changed(platform, content_id, at, regions), fields=_FIELDS
            )
        return checked(lambda: CatalogChange.removed(platform, content_id, at), fields=_FIELDS)


NORMALISER = NetflixFeedNormaliser()
