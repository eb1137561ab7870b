from __future__ import annotations

from enum import Enum
from uuid import UUID

from attrs import frozen


class ContentKind(Enum):
    MOVIE = "movie"
    SERIES = "series"
    EPISODE = "episode"


@frozen
class Availability:
    platform: str
    region: str
    deep_link: str


@frozen
class Content:
    id: UUID
    title: str
    kind: ContentKind
    release_year: int
    genres: tuple[str, ...]
    synopsis: str
    availability: tuple[Availability, ...]
    runtime_seconds: int | None = None
    series_id: UUID | None = None
    season_number: int | None = None
    episode_number: int | None = None

    @property
    def platforms(self) -> frozenset[str]:
        return frozenset(a.platform for a in self.availability)
