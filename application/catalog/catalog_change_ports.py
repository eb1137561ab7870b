"""The port ApplyCatalogChange works through: one unit of work (one transaction) per change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from attrs import frozen

from domain.catalog.content import Availability, Content, ContentKind
from domain.catalog.external_ids import ExternalIds


@frozen
class PlatformTitle:
    """A platform's title as the catalog resolved it, and the latest change applied for it."""

    content_id: UUID
    changed_at: datetime  # the applied change's occurred_at
    removed: bool = False


@frozen
class StoredTitle:
    content: Content  # with every platform's availability
    details_changed_at: datetime | None  # None: the details never came from a platform


class CatalogChangesUnit(Protocol):
    """Rolled back unless ``commit()`` is called. Locks are held until the unit ends."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...

    async def hold_platform_title(self, platform: str, platform_content_id: str) -> None:
        """Wait for, then exclude, every other unit working on this platform's title."""

    async def hold_new_titles(self) -> None:
        """Wait for, then exclude, every other unit about to create a title (call it, then
        resolve again, before creating one: two platforms announcing one new title make one)."""

    async def was_applied(self, change_id: str) -> bool: ...

    async def record_applied(self, change_id: str, outcome: str, content_id: UUID | None, at: datetime) -> None: ...

    async def platform_title(self, platform: str, platform_content_id: str) -> PlatformTitle | None: ...

    async def save_platform_title(self, platform: str, platform_content_id: str, title: PlatformTitle) -> None: ...

    async def offered_as(self, platform: str, platform_content_id: str) -> UUID | None:
        """The title whose availability carries this platform id (an imported catalog's titles
        have availability with platform ids but no platform title yet)."""

    async def with_external_ids(self, ids: ExternalIds, kind: ContentKind) -> UUID | None:
        """A title of that kind sharing any of these ids, the first id in resolution order
        deciding (TMDB numbers movies and series separately)."""

    async def titled(self, title_key: str, release_year: int, kind: ContentKind) -> UUID | None:
        """A title (not an episode) by its title key, year and kind."""

    async def episode(self, series_id: UUID, season_number: int, episode_number: int) -> UUID | None: ...

    async def title(self, content_id: UUID) -> StoredTitle | None:
        """The title, locked until the unit ends (concurrent changes to it wait)."""

    async def save_title(self, content: Content, details_changed_at: datetime | None) -> None:
        """Insert or update the title's own fields (not its availability)."""

    async def replace_availability(self, content_id: UUID, platform: str, offers: Sequence[Availability]) -> None:
        """The platform's availability of the title becomes ``offers``; other platforms' stays."""

    async def offered_by_any_platform(self, content_id: UUID) -> bool:
        """Some platform still offers the title: it has availability, or a platform title not removed."""


class CatalogChanges(Protocol):
    def unit(self) -> CatalogChangesUnit: ...

    async def forget_applied_before(self, moment: datetime) -> int:
        """Drop the record of changes applied before ``moment``; return how many went."""
