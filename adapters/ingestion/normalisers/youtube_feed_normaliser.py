"""A YouTube-style video feed (``youtube-feed``): a push notification carrying the YouTube Data
API's video resource (``kind``, ``snippet``, ``contentDetails``, ``status``, ``statistics``), or a
deletion notice. The JSON Schema is ``docs/webhooks/youtube-feed.schema.json``::

    {"kind": "youtube#videoNotification", "eventId": "…", "eventTime": "2026-12-01T10:00:00Z",
     "video": {"kind": "youtube#video", "id": "…", "snippet": {…}, "contentDetails": {…}, "status": {…}}}
    {"kind": "youtube#videoDeletion", "eventId": "…", "eventTime": "…", "videoId": "…"}

A video is offered while it is public and processed; private, unlisted, deleted, rejected or
failed removes it. ``contentDetails.regionRestriction`` lists the countries it is ``allowed`` in,
or those it is ``blocked`` in (every other country offers it); without one, every country does.
Runtime is ``contentDetails.duration`` (ISO 8601, ``PT2H35M``; ``P0D`` for a live stream: none).
``etag``, ``statistics`` and the thumbnails change all the time and never reach the change.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from adapters.ingestion.normalisers.payloads import checked, decoded
from application.ingestion.normaliser_ports import NormalisedDelivery
from domain.catalog.catalog_change import CatalogChange, OfferedIn, TitleDetails
from domain.catalog.content import ContentKind
from domain.ingestion.errors import PayloadRejected

Instant = Annotated[datetime, Meta(tz=True, description="RFC 3339 with an offset, e.g. 2026-12-01T10:00:00Z")]
VideoId = Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]{11}$", examples=["n9xhJrPXop4"])]
EventId = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")]
Country = Annotated[str, Meta(description="ISO 3166-1 alpha-2, e.g. US")]
Countries = Annotated[list[Country], Meta(max_length=250)]
_DURATION = re.compile(r"^P(?:(\d{1,4})D)?(?:T(?:(\d{1,5})H)?(?:(\d{1,6})M)?(?:(\d{1,7})S)?)?$")
Duration = Annotated[str, Meta(pattern=_DURATION.pattern, examples=["PT2H35M", "PT4M13S", "P0D"])]

# ISO 3166-1 alpha-2 (the tz database's iso3166.tab): where an unrestricted video is offered.
EVERY_COUNTRY = tuple(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
    BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
    EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
    HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
    LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW""".split()  # noqa: SIM905
)
# YouTube's video categories (videoCategories.list) as the catalog's genres; others have none.
CATEGORY_GENRES: dict[str, tuple[str, ...]] = {
    "1": ("film-animation",),
    "10": ("music",),
    "17": ("sports",),
    "20": ("gaming",),
    "23": ("comedy",),
    "24": ("entertainment",),
    "25": ("news-politics",),
    "27": ("education",),
    "28": ("science-technology",),
    "31": ("animation",),
    "32": ("action", "adventure"),
    "34": ("comedy",),
    "35": ("documentary",),
    "36": ("drama",),
    "37": ("family",),
    "39": ("horror",),
    "40": ("science-fiction", "fantasy"),
    "41": ("thriller",),
}


class Snippet(msgspec.Struct, rename="camel"):
    published_at: Instant
    channel_id: str
    title: str
    description: str = ""
    category_id: str | None = None
    channel_title: str | None = None
    tags: list[str] = []
    default_language: str | None = None


class RegionRestriction(msgspec.Struct, omit_defaults=True):
    """Either the countries the video may be watched in, or those it may not."""

    allowed: Countries | None = None
    blocked: Countries | None = None


class ContentDetails(msgspec.Struct, rename="camel", omit_defaults=True):
    duration: Duration
    region_restriction: RegionRestriction | None = None
    definition: Literal["hd", "sd"] | None = None
    caption: Literal["true", "false"] | None = None


class Status(msgspec.Struct, rename="camel", omit_defaults=True):
    privacy_status: Literal["public", "unlisted", "private"]
    upload_status: Literal["uploaded", "processed", "failed", "rejected", "deleted"] = "processed"
    embeddable: bool | None = None


class Statistics(msgspec.Struct, rename="camel", omit_defaults=True):
    """Counts as YouTube sends them, as decimal strings: volatile, never part of the change."""

    view_count: Annotated[str, Meta(pattern=r"^\d+$")] | None = None
    like_count: Annotated[str, Meta(pattern=r"^\d+$")] | None = None
    comment_count: Annotated[str, Meta(pattern=r"^\d+$")] | None = None
    favorite_count: Annotated[str, Meta(pattern=r"^\d+$")] | None = None


class Video(msgspec.Struct, rename="camel"):
    kind: Literal["youtube#video"]
    id: VideoId
    snippet: Snippet
    content_details: ContentDetails
    status: Status
    etag: str | None = None
    statistics: Statistics | None = None


class VideoNotification(msgspec.Struct, rename="camel", tag_field="kind", tag="youtube#videoNotification"):
    """The video as it is now: offered, changed, or made private."""

    event_id: EventId
    event_time: Instant
    video: Video


class VideoDeletion(msgspec.Struct, rename="camel", tag_field="kind", tag="youtube#videoDeletion"):
    """The video was deleted by its channel."""

    event_id: EventId
    event_time: Instant
    video_id: VideoId


YouTubeEvent = VideoNotification | VideoDeletion
PAYLOAD = YouTubeEvent

_FIELDS = {
    "title": "video.snippet.title",
    "synopsis": "video.snippet.description",
    "release_year": "video.snippet.publishedAt",
    "runtime_seconds": "video.contentDetails.duration",
    "genres": "video.snippet.categoryId",
    "availability": "video.contentDetails.regionRestriction",
}


def runtime_seconds(duration: str) -> int | None:
    match = _DURATION.match(duration)
    if match is None or duration in ("P", "PT") or duration.endswith("T"):
        raise PayloadRejected(
            "'duration' must be an ISO 8601 duration such as PT2H35M.", field="video.contentDetails.duration"
        )
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return (((days * 24 + hours) * 60 + minutes) * 60 + seconds) or None  # P0D: a live stream


def regions(restriction: RegionRestriction | None) -> list[str]:
    if restriction is None:
        return list(EVERY_COUNTRY)
    if restriction.allowed is not None and restriction.blocked is not None:
        raise PayloadRejected(
            "'regionRestriction' has either 'allowed' or 'blocked', not both.",
            field="video.contentDetails.regionRestriction",
        )
    if restriction.allowed is not None:
        return restriction.allowed
    blocked = {country.strip().upper() for country in restriction.blocked or ()}
    return [country for country in EVERY_COUNTRY if country not in blocked]


def offers(video: Video) -> list[OfferedIn]:
    link = f"https://www.youtube.com/watch?v={video.id}"
    where = "video.contentDetails.regionRestriction.allowed"
    return [
        checked(lambda c=c: OfferedIn.of(c, link), at=f"{where}[{i}]", fields={"availability.region": ""})
        for i, c in enumerate(regions(video.content_details.region_restriction))
    ]


def details(video: Video) -> TitleDetails:
    snippet = video.snippet
    runtime = runtime_seconds(video.content_details.duration)
    return checked(
        lambda: TitleDetails.of(
            title=snippet.title,
            kind=ContentKind.MOVIE,
            release_year=snippet.published_at.year,
            genres=CATEGORY_GENRES.get(snippet.category_id or "", ()),
            synopsis=snippet.description,
            runtime_seconds=runtime,
        ),
        fields=_FIELDS,
    )


def offered(status: Status) -> bool:
    return status.privacy_status == "public" and status.upload_status == "processed"


class YouTubeFeedNormaliser:
    format = "youtube-feed"

    def normalise(self, platform: str, body: bytes) -> NormalisedDelivery:
        event: YouTubeEvent = decoded(body, YouTubeEvent)
        return NormalisedDelivery(change=self._change(platform, event), delivery_id=event.event_id)

    @staticmethod
    def _change(platform: str, event: YouTubeEvent) -> CatalogChange:
        at = event.event_time
        if isinstance(event, VideoDeletion):
            return checked(lambda: CatalogChange.removed(platform, event.video_id, at), fields=_FIELDS)
        video = event.video
        if not offered(video.status):
            return checked(lambda: CatalogChange.removed(platform, video.id, at), fields=_FIELDS)
        about, availability = details(video), offers(video)
        return checked(lambda: CatalogChange.upserted(platform, video.id, at, about, availability), fields=_FIELDS)


NORMALISER = YouTubeFeedNormaliser()
