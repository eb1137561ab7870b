from __future__ import annotations

from datetime import datetime
from enum import Enum
from uuid import UUID

import attrs
from attrs import frozen

from domain.catalog.external_ids import ExternalIds


class ContentKind(Enum):
    MOVIE = "movie"
    SERIES = "series"
    EPISODE = "episode"


@frozen
class Availability:
    platform: str
    region: str
    deep_link: str
    platform_content_id: str | None = None  # the platform's own id for the title
    available_from: datetime | None = None  # UTC; None: since ever
    available_until: datetime | None = None  # UTC, exclusive; None: until further notice

    def offered_at(self, moment: datetime) -> bool:
        """Inside its window: from ``available_from`` (inclusive) until ``available_until`` (exclusive)."""
        if self.available_from is not None and moment < self.available_from:
            return False
        return self.available_until is None or moment < self.available_until


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
    external_ids: ExternalIds = attrs.field(factory=ExternalIds)
    # Set when no platform offers the title any more: it leaves search and its page, its watch history stays.
    withdrawn_at: datetime | None = None

    @property
    def platforms(self) -> frozenset[str]:
        return frozenset(a.platform for a in self.availability)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def offered_at(self, moment: datetime) -> Content:
        """The title with only the availability inside its window at ``moment``."""
        offered = tuple(a for a in self.availability if a.offered_at(moment))
        return self if len(offered) == len(self.availability) else attrs.evolve(self, availability=offered)
