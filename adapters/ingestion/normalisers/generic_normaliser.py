"""The canonical format any platform can send (``generic``): the README documents it with a JSON
Schema generated from these structs (``media-gateway webhook-schema``).

    {"type": "content.upserted" | "content.removed" | "availability.changed",
     "occurred_at": "2026-12-01T10:00:00Z", "id": "optional event id", "data": {...}}
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from adapters.ingestion.normalisers.payloads import checked, decoded
from application.ingestion.normaliser_ports import NormalisedDelivery
from domain.catalog.catalog_change import CatalogChange, EpisodeOf, ExternalIds, OfferedIn, TitleDetails
from domain.catalog.content import ContentKind
from domain.ingestion.errors import PayloadRejected


class GenericExternalIds(msgspec.Struct, omit_defaults=True, frozen=True):
    imdb: str | None = None
    tmdb: str | None = None
    eidr: str | None = None


class GenericAvailability(msgspec.Struct, omit_defaults=True):
    region: str
    deep_link: str
    available_from: datetime | None = None
    available_until: datetime | None = None


class GenericTitle(msgspec.Struct, omit_defaults=True):
    platform_content_id: str
    title: str
    kind: ContentKind
    release_year: int
    availability: list[GenericAvailability]
    runtime_seconds: int | None = None
    genres: list[str] = []
    synopsis: str = ""
    external_ids: GenericExternalIds = GenericExternalIds()
    series_platform_content_id: str | None = None  # episodes only, with both numbers
    season_number: int | None = None
    episode_number: int | None = None


class GenericRemoval(msgspec.Struct):
    platform_content_id: str


class GenericAvailabilityChange(msgspec.Struct):
    platform_content_id: str
    availability: list[GenericAvailability]


class GenericEnvelope(msgspec.Struct):
    type: str
    occurred_at: datetime
    data: msgspec.Raw
    id: str | None = None


DATA_SHAPES: dict[str, type[msgspec.Struct]] = {
    "content.upserted": GenericTitle,
    "content.removed": GenericRemoval,
    "availability.changed": GenericAvailabilityChange,
}


def offers(items: list[GenericAvailability]) -> list[OfferedIn]:
    return [OfferedIn.of(a.region, a.deep_link, a.available_from, a.available_until) for a in items]


def title_details(data: GenericTitle) -> TitleDetails:
    episode = None
    if data.series_platform_content_id is not None or data.kind is ContentKind.EPISODE:
        if data.series_platform_content_id is None or data.season_number is None or data.episode_number is None:
            raise PayloadRejected(
                "An episode carries 'series_platform_content_id', 'season_number' and 'episode_number'.",
                field="data.series_platform_content_id",
            )
        episode = EpisodeOf(data.series_platform_content_id, data.season_number, data.episode_number)
    ids = data.external_ids
    return TitleDetails.of(
        title=data.title,
        kind=data.kind,
        release_year=data.release_year,
        genres=data.genres,
        synopsis=data.synopsis,
        external_ids=ExternalIds(imdb=ids.imdb, tmdb=ids.tmdb, eidr=ids.eidr),
        runtime_seconds=data.runtime_seconds,
        episode_of=episode,
    )


class GenericNormaliser:
    format = "generic"

    def normalise(self, platform: str, body: bytes) -> NormalisedDelivery:
        envelope = decoded(body, GenericEnvelope)
        shape = DATA_SHAPES.get(envelope.type)
        if shape is None:
            raise PayloadRejected(
                f"'type' must be one of {', '.join(DATA_SHAPES)}; got '{envelope.type}'.", field="type"
            )
        data = decoded(bytes(envelope.data), shape, at="data")
        change = checked(lambda: self._change(platform, envelope.type, envelope.occurred_at, data))
        return NormalisedDelivery(change=change, delivery_id=envelope.id)

    @staticmethod
    def _change(platform: str, type_: str, occurred_at: datetime, data: msgspec.Struct) -> CatalogChange:
        if isinstance(data, GenericTitle):
            details = title_details(data)
            return CatalogChange.upserted(
                platform, data.platform_content_id, occurred_at, details, offers(data.availability)
            )
        if isinstance(data, GenericAvailabilityChange):
            return CatalogChange.availability_changed(
                platform, data.platform_content_id, occurred_at, offers(data.availability)
            )
        assert isinstance(data, GenericRemoval)
        return CatalogChange.removed(platform, data.platform_content_id, occurred_at)


NORMALISER = GenericNormaliser()
