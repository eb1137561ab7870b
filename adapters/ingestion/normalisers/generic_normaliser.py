"""The canonical format any platform can send (``generic``), documented in the README with the
JSON Schema generated from these structs (``docs/webhooks/generic.schema.json``)::

    {"type": "content.upserted" | "content.removed" | "availability.changed",
     "occurred_at": "2026-12-01T10:00:00Z", "id": "optional event id", "data": {...}}

It is the canonical change itself, with the platform's ids: nothing volatile is in it, and
``occurred_at`` orders a title's changes without entering the fingerprint.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from adapters.ingestion.normalisers.payloads import checked, decoded
from application.ingestion.normaliser_ports import NormalisedDelivery
from domain.catalog.catalog_change import (
    MAX_AVAILABILITY,
    MAX_GENRES,
    MAX_ID_LENGTH,
    MAX_RUNTIME_SECONDS,
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

Instant = Annotated[datetime, Meta(tz=True, description="RFC 3339 with an offset, e.g. 2026-12-01T10:00:00Z")]
ContentId = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_ID_LENGTH,
        pattern=r"^[\x21-\x7e]+$",
        description="The platform's own id: visible ASCII, no spaces",
    ),
]


class GenericExternalIds(msgspec.Struct, omit_defaults=True, frozen=True):
    """Ids the wider world knows the title by; any one resolves it to an existing title."""

    imdb: Annotated[str, Meta(examples=["tt1160419"])] | None = None
    tmdb: Annotated[str, Meta(examples=["438631", "movie/438631", "tv/1399"])] | None = None
    eidr: Annotated[str, Meta(examples=["10.5240/0EF3-54F9-2642-0B49-6829-R"])] | None = None


class GenericAvailability(msgspec.Struct, omit_defaults=True):
    """One region where the platform offers the title."""

    region: Annotated[str, Meta(description="ISO 3166-1 alpha-2, e.g. US")]
    deep_link: Annotated[str, Meta(description="Absolute URL (https://… or an app scheme)")]
    available_from: Instant | None = None
    available_until: Instant | None = None


Availability = Annotated[list[GenericAvailability], Meta(max_length=MAX_AVAILABILITY)]


class GenericTitle(msgspec.Struct, omit_defaults=True):
    """A movie, series or episode as the platform offers it now; its availability replaces the
    platform's previous one."""

    platform_content_id: ContentId
    title: str
    kind: ContentKind
    release_year: Annotated[int, Meta(ge=MIN_YEAR, le=MAX_YEAR)]
    availability: Availability
    runtime_seconds: Annotated[int, Meta(ge=1, le=MAX_RUNTIME_SECONDS)] | None = None
    genres: Annotated[list[str], Meta(max_length=MAX_GENRES, description="e.g. science-fiction")] = []
    synopsis: str = ""
    external_ids: GenericExternalIds = GenericExternalIds()
    # episodes only, all three
    series_platform_content_id: ContentId | None = None
    season_number: Annotated[int, Meta(ge=0, le=1000)] | None = None
    episode_number: Annotated[int, Meta(ge=0, le=100_000)] | None = None


class GenericRemoval(msgspec.Struct):
    """The platform no longer offers the title anywhere."""

    platform_content_id: ContentId


class GenericAvailabilityChange(msgspec.Struct):
    """The platform's regions for the title, replacing the previous ones (empty: none left)."""

    platform_content_id: ContentId
    availability: Availability


class ContentUpserted(msgspec.Struct, tag_field="type", tag="content.upserted"):
    occurred_at: Instant
    data: GenericTitle
    id: ContentId | None = None


class ContentRemoved(msgspec.Struct, tag_field="type", tag="content.removed"):
    occurred_at: Instant
    data: GenericRemoval
    id: ContentId | None = None


class AvailabilityChanged(msgspec.Struct, tag_field="type", tag="availability.changed"):
    occurred_at: Instant
    data: GenericAvailabilityChange
    id: ContentId | None = None


GenericDelivery = ContentUpserted | ContentRemoved | AvailabilityChanged
PAYLOAD = GenericDelivery

_OFFER_FIELDS = {
    "availability.region": "region",
    "availability.deep_link": "deep_link",
    "availability.available_from": "available_from",
    "availability.available_until": "available_until",
}
_DATA_FIELDS = {
    name: f"data.{name}"
    for name in (
        "platform_content_id",
        "title",
        "kind",
        "release_year",
        "runtime_seconds",
        "genres",
        "synopsis",
        "availability",
        "series_platform_content_id",
        "season_number",
        "episode_number",
    )
} | {f"external_ids.{name}": f"data.external_ids.{name}" for name in ("imdb", "tmdb", "eidr")}


def offers(items: list[GenericAvailability]) -> list[OfferedIn]:
    return [
        checked(
            lambda a=a: OfferedIn.of(a.region, a.deep_link, a.available_from, a.available_until),
            at=f"data.availability[{index}]",
            fields=_OFFER_FIELDS,
        )
        for index, a in enumerate(items)
    ]


_EPISODE_FIELDS = ("series_platform_content_id", "season_number", "episode_number")


def episode_of(data: GenericTitle) -> EpisodeOf | None:
    values = (data.series_platform_content_id, data.season_number, data.episode_number)
    given = dict(zip(_EPISODE_FIELDS, values, strict=True))
    if data.kind is not ContentKind.EPISODE:
        if extra := [name for name, value in given.items() if value is not None]:
            raise PayloadRejected(f"Only an episode has '{extra[0]}'.", field=f"data.{extra[0]}")
        return None
    if data.series_platform_content_id is None or data.season_number is None or data.episode_number is None:
        missing = next(name for name, value in given.items() if value is None)
        raise PayloadRejected(
            "An episode carries 'series_platform_content_id', 'season_number' and 'episode_number'.",
            field=f"data.{missing}",
        )
    return EpisodeOf(data.series_platform_content_id, data.season_number, data.episode_number)


def title_details(data: GenericTitle) -> TitleDetails:
    ids = data.external_ids
    episode = episode_of(data)
    return checked(
        lambda: TitleDetails.of(
            title=data.title,
            kind=data.kind,
            release_year=data.release_year,
            genres=data.genres,
            synopsis=data.synopsis,
            external_ids=ExternalIds(imdb=ids.imdb, tmdb=ids.tmdb, eidr=ids.eidr),
            runtime_seconds=data.runtime_seconds,
            episode_of=episode,
        ),
        fields=_DATA_FIELDS,
    )


class GenericNormaliser:
    format = "generic"

    def normalise(self, platform: str, body: bytes) -> NormalisedDelivery:
        delivery: GenericDelivery = decoded(body, GenericDelivery)
        return NormalisedDelivery(change=self._change(platform, delivery), delivery_id=delivery.id)

    @staticmethod
    def _change(platform: str, delivery: GenericDelivery) -> CatalogChange:
        content_id, occurred_at = delivery.data.platform_content_id, delivery.occurred_at
        if isinstance(delivery, ContentUpserted):
            details, availability = title_details(delivery.data), offers(delivery.data.availability)
            return checked(
                lambda: CatalogChange.upserted(platform, content_id, occurred_at, details, availability),
                fields=_DATA_FIELDS,
            )
        if isinstance(delivery, AvailabilityChanged):
            availability = offers(delivery.data.availability)
            return checked(
                lambda: CatalogChange.availability_changed(platform, content_id, occurred_at, availability),
                fields=_DATA_FIELDS,
            )
        return checked(lambda: CatalogChange.removed(platform, content_id, occurred_at), fields=_DATA_FIELDS)


NORMALISER = GenericNormaliser()
