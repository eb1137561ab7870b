"""A change to the catalog announced by a platform, in the one canonical form every platform's
feed is normalised to: a title upserted, a title removed from the platform, or the platform's
availability of a title replaced.

The canonical form is what two deliveries are compared by (``fingerprint``) and what travels
through the ingestion stream (``to_json`` / ``from_json``), so it is normalised here: text trimmed
and its whitespace collapsed, genres lower-case slugs in order, regions upper-case and sorted.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import attrs
from attrs import frozen

from domain.catalog.content import ContentKind
from domain.catalog.errors import InvalidCatalogChange
from domain.catalog.external_ids import ExternalIds

MIN_YEAR = 1870
MAX_YEAR = 2100
MAX_TITLE_LENGTH = 300
MAX_SYNOPSIS_LENGTH = 5000
MAX_ID_LENGTH = 200
MAX_GENRES = 20
MAX_AVAILABILITY = 250
MAX_RUNTIME_SECONDS = 48 * 3600
_PLATFORM = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
_GENRE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REGION = re.compile(r"^[A-Z]{2}$")
_PRINTABLE_ID = re.compile(r"^[\x21-\x7e]+$")  # visible ASCII, no spaces
# Control characters other than whitespace (which is collapsed): PostgreSQL text cannot hold NUL,
# and none of them belongs in a title shown to people.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class ChangeType(Enum):
    CONTENT_UPSERTED = "content.upserted"
    CONTENT_REMOVED = "content.removed"
    AVAILABILITY_CHANGED = "availability.changed"


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    cleaned = " ".join(value.split())
    if _CONTROL.search(cleaned):
        raise InvalidCatalogChange(f"'{field}' must not contain control characters.", field=field)
    if required and not cleaned:
        raise InvalidCatalogChange(f"'{field}' must not be empty.", field=field)
    if len(cleaned) > limit:
        raise InvalidCatalogChange(f"'{field}' must be at most {limit} characters.", field=field)
    return cleaned


def _identifier(value: str, field: str) -> str:
    if not _PRINTABLE_ID.match(value) or len(value) > MAX_ID_LENGTH:
        raise InvalidCatalogChange(
            f"'{field}' must be 1 to {MAX_ID_LENGTH} visible ASCII characters without spaces.", field=field
        )
    return value


def _utc(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidCatalogChange(f"'{field}' must carry a UTC offset (RFC 3339).", field=field)
    return value.astimezone(UTC)


def valid_platform(name: str) -> str:
    """A platform's name as used in URLs and on availability entries: a lowercase slug."""
    if not _PLATFORM.match(name):
        raise InvalidCatalogChange(
            "'platform' must be a lowercase slug of 1 to 40 letters, digits and hyphens.", field="platform"
        )
    return name


@frozen
class OfferedIn:
    """One region where the platform offers the title, and from when until when."""

    region: str
    deep_link: str
    available_from: datetime | None = None
    available_until: datetime | None = None

    @classmethod
    def of(
        cls,
        region: str,
        deep_link: str,
        available_from: datetime | None = None,
        available_until: datetime | None = None,
    ) -> OfferedIn:
        region = region.strip().upper()
        if not _REGION.match(region):
            raise InvalidCatalogChange(
                "'availability.region' must be an ISO 3166-1 alpha-2 code such as US.", field="availability.region"
            )
        link = deep_link.strip()
        if not re.match(r"^[a-z][a-z0-9+.-]*://[^\s\x00-\x1f\x7f]+$", link) or len(link) > 2000:
            raise InvalidCatalogChange(
                "'availability.deep_link' must be an absolute URL (https://… or an app scheme).",
                field="availability.deep_link",
            )
        start = _utc(available_from, "availability.available_from") if available_from else None
        end = _utc(available_until, "availability.available_until") if available_until else None
        if start and end and end <= start:
            raise InvalidCatalogChange(
                "'availability.available_until' must be after 'available_from'.", field="availability.available_until"
            )
        return cls(region, link, start, end)


@frozen
class EpisodeOf:
    """Where an episode belongs: its series, by the platform's id for the series."""

    series_platform_content_id: str
    season_number: int
    episode_number: int


@frozen
class TitleDetails:
    title: str
    kind: ContentKind
    release_year: int
    genres: tuple[str, ...]
    synopsis: str
    external_ids: ExternalIds = attrs.field(factory=ExternalIds)
    runtime_seconds: int | None = None
    episode_of: EpisodeOf | None = None

    @classmethod
    def of(
        cls,
        *,
        title: str,
        kind: ContentKind,
        release_year: int,
        genres: tuple[str, ...] | list[str] = (),
        synopsis: str = "",
        external_ids: ExternalIds | None = None,
        runtime_seconds: int | None = None,
        episode_of: EpisodeOf | None = None,
    ) -> TitleDetails:
        if not MIN_YEAR <= release_year <= MAX_YEAR:
            raise InvalidCatalogChange(
                f"'release_year' must be between {MIN_YEAR} and {MAX_YEAR}.", field="release_year"
            )
        if runtime_seconds is not None and not 0 < runtime_seconds <= MAX_RUNTIME_SECONDS:
            raise InvalidCatalogChange(
                "'runtime_seconds' must be a positive number of seconds.", field="runtime_seconds"
            )
        slugs = sorted({genre.strip().lower().replace(" ", "-") for genre in genres})
        if len(slugs) > MAX_GENRES or not all(_GENRE.match(g) and len(g) <= 40 for g in slugs):
            raise InvalidCatalogChange(
                f"'genres' must be at most {MAX_GENRES} slugs such as 'science-fiction'.", field="genres"
            )
        if (kind is ContentKind.EPISODE) != (episode_of is not None):
            raise InvalidCatalogChange(
                "An episode names its series ('series_platform_content_id', 'season_number', "
                "'episode_number'); a movie or a series does not.",
                field="series_platform_content_id",
            )
        if episode_of is not None:
            _identifier(episode_of.series_platform_content_id, "series_platform_content_id")
            if not (0 <= episode_of.season_number <= 1000 and 0 <= episode_of.episode_number <= 100_000):
                raise InvalidCatalogChange(
                    "'season_number' and 'episode_number' must be small non-negative integers.", field="season_number"
                )
        return cls(
            title=_text(title, "title", MAX_TITLE_LENGTH),
            kind=kind,
            release_year=release_year,
            genres=tuple(slugs),
            synopsis=_text(synopsis, "synopsis", MAX_SYNOPSIS_LENGTH, required=False),
            external_ids=external_ids or ExternalIds(),
            runtime_seconds=runtime_seconds,
            episode_of=episode_of,
        )


@frozen
class CatalogChange:
    """One change a platform announced. Build it with ``upserted``, ``removed`` or
    ``availability_changed`` (they validate and normalise); ``occurred_at`` orders the changes of
    one title (an older one never overwrites a newer one) and is left out of the fingerprint."""

    platform: str
    type: ChangeType
    occurred_at: datetime
    platform_content_id: str
    details: TitleDetails | None = None  # content.upserted only
    availability: tuple[OfferedIn, ...] = ()  # content.upserted and availability.changed

    @classmethod
    def upserted(
        cls,
        platform: str,
        platform_content_id: str,
        occurred_at: datetime,
        details: TitleDetails,
        availability: tuple[OfferedIn, ...] | list[OfferedIn] = (),
    ) -> CatalogChange:
        return cls._made(platform, ChangeType.CONTENT_UPSERTED, occurred_at, platform_content_id, details, availability)

    @classmethod
    def removed(cls, platform: str, platform_content_id: str, occurred_at: datetime) -> CatalogChange:
        return cls._made(platform, ChangeType.CONTENT_REMOVED, occurred_at, platform_content_id, None, ())

    @classmethod
    def availability_changed(
        cls,
        platform: str,
        platform_content_id: str,
        occurred_at: datetime,
        availability: tuple[OfferedIn, ...] | list[OfferedIn],
    ) -> CatalogChange:
        return cls._made(
            platform, ChangeType.AVAILABILITY_CHANGED, occurred_at, platform_content_id, None, availability
        )

    @classmethod
    def _made(
        cls,
        platform: str,
        type_: ChangeType,
        occurred_at: datetime,
        platform_content_id: str,
        details: TitleDetails | None,
        availability: tuple[OfferedIn, ...] | list[OfferedIn],
    ) -> CatalogChange:
        offers = sorted(availability, key=lambda offer: offer.region)
        regions = [offer.region for offer in offers]
        if len(set(regions)) != len(regions):
            raise InvalidCatalogChange("'availability' names a region twice.", field="availability")
        if len(offers) > MAX_AVAILABILITY:
            raise InvalidCatalogChange(
                f"'availability' lists at most {MAX_AVAILABILITY} regions.", field="availability"
            )
        return cls(
            platform=valid_platform(platform),
            type=type_,
            occurred_at=_utc(occurred_at, "occurred_at"),
            platform_content_id=_identifier(platform_content_id, "platform_content_id"),
            details=details,
            availability=tuple(offers),
        )

    def canonical(self, *, with_occurred_at: bool = True) -> dict[str, Any]:
        """The change as plain JSON values, keys in a fixed order."""
        body: dict[str, Any] = {
            "platform": self.platform,
            "type": self.type.value,
            "platform_content_id": self.platform_content_id,
        }
        if with_occurred_at:
            body["occurred_at"] = _instant(self.occurred_at)
        if self.details is not None:
            d = self.details
            body["details"] = {
                "title": d.title,
                "kind": d.kind.value,
                "release_year": d.release_year,
                "genres": list(d.genres),
                "synopsis": d.synopsis,
                "external_ids": d.external_ids.known(),
                "runtime_seconds": d.runtime_seconds,
                "episode_of": None
                if d.episode_of is None
                else {
                    "series_platform_content_id": d.episode_of.series_platform_content_id,
                    "season_number": d.episode_of.season_number,
                    "episode_number": d.episode_of.episode_number,
                },
            }
        if self.type is not ChangeType.CONTENT_REMOVED:
            body["availability"] = [
                {
                    "region": offer.region,
                    "deep_link": offer.deep_link,
                    "available_from": _instant(offer.available_from),
                    "available_until": _instant(offer.available_until),
                }
                for offer in self.availability
            ]
        return body

    def fingerprint(self) -> str:
        """SHA-256 (hex) of what the change says, without when it was announced: two deliveries of
        the same change under different ids, or re-sent later, have the same fingerprint."""
        encoded = json.dumps(self.canonical(with_occurred_at=False), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(encoded.encode()).hexdigest()

    def to_json(self) -> str:
        return json.dumps(self.canonical(), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> CatalogChange:
        """Read back what ``to_json`` wrote; anything else raises InvalidCatalogChange."""
        try:
            body = json.loads(text)
            type_ = ChangeType(body["type"])
            occurred_at = datetime.fromisoformat(body["occurred_at"])
            platform, content_id = body["platform"], body["platform_content_id"]
            offers = [
                OfferedIn.of(
                    o["region"],
                    o["deep_link"],
                    _parsed(o.get("available_from")),
                    _parsed(o.get("available_until")),
                )
                for o in body.get("availability", [])
            ]
            if type_ is ChangeType.CONTENT_REMOVED:
                return cls.removed(platform, content_id, occurred_at)
            if type_ is ChangeType.AVAILABILITY_CHANGED:
                return cls.availability_changed(platform, content_id, occurred_at, offers)
            d = body["details"]
            episode = d.get("episode_of")
            details = TitleDetails.of(
                title=d["title"],
                kind=ContentKind(d["kind"]),
                release_year=int(d["release_year"]),
                genres=list(d["genres"]),
                synopsis=d["synopsis"],
                external_ids=ExternalIds(**d.get("external_ids", {})),
                runtime_seconds=d.get("runtime_seconds"),
                episode_of=EpisodeOf(**episode) if episode else None,
            )
            return cls.upserted(platform, content_id, occurred_at, details, offers)
        except InvalidCatalogChange:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise InvalidCatalogChange(f"Not a catalog change: {error!s}.") from None


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parsed(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
