"""Apply a platform's announced change to the catalog: resolve the title, apply idempotently and
in order per title, in one transaction."""

from __future__ import annotations

from enum import Enum
from uuid import UUID

import attrs
from attrs import frozen

from application.catalog.catalog_change_ports import CatalogChanges, CatalogChangesUnit, PlatformTitle, StoredTitle
from application.shared.ports import Clock, IdGenerator
from domain.catalog.catalog_change import CatalogChange, ChangeType, TitleDetails
from domain.catalog.content import Availability, Content
from domain.catalog.errors import UnknownSeries, UnknownTitle
from domain.catalog.title_key import title_key


@frozen
class ApplyCatalogChangeCommand:
    change_id: str  # the ingestion event id: a change id is applied at most once
    change: CatalogChange


class ChangeOutcome(Enum):
    APPLIED = "applied"
    STALE = "stale"  # the title already has a newer change from this platform: nothing written
    ALREADY_APPLIED = "already_applied"  # this change id was applied before (a redelivery)


@frozen
class AppliedChange:
    outcome: ChangeOutcome
    content_id: UUID | None = None  # the title the change resolved to


@frozen
class ApplyCatalogChange:
    """Resolution: by any external id, else by the platform's content id, else by normalised
    title + year + kind (episodes: series + season + episode), else a new title. Changes to one
    platform title apply in ``occurred_at`` order (an older or equal one is STALE); a title's
    details are last-writer-wins across platforms; a platform replaces only its own availability.
    Raises UnknownSeries (an episode of a series the platform never announced) and UnknownTitle
    (a removal or availability change for a title it never announced)."""

    changes: CatalogChanges
    ids: IdGenerator
    clock: Clock

    async def __call__(self, command: ApplyCatalogChangeCommand) -> AppliedChange:
        change = command.change
        async with self.changes.unit() as unit:
            await unit.hold_platform_title(change.platform, change.platform_content_id)
            if await unit.was_applied(command.change_id):
                return AppliedChange(ChangeOutcome.ALREADY_APPLIED)
            known = await unit.platform_title(change.platform, change.platform_content_id)
            if known is not None and change.occurred_at <= known.changed_at:
                await unit.record_applied(
                    command.change_id, ChangeOutcome.STALE.value, known.content_id, self.clock.now()
                )
                await unit.commit()
                return AppliedChange(ChangeOutcome.STALE, known.content_id)
            if change.type is ChangeType.CONTENT_UPSERTED:
                content_id = await self._upsert(unit, change, known)
            else:
                content_id = await self._replace_offers(unit, change, known)
            await unit.save_platform_title(
                change.platform,
                change.platform_content_id,
                PlatformTitle(content_id, change.occurred_at, removed=change.type is ChangeType.CONTENT_REMOVED),
            )
            if change.type is ChangeType.CONTENT_REMOVED:
                await _withdraw_unless_offered(unit, content_id, change)
            if known is not None and known.content_id != content_id:
                # an external id now resolves the platform's title elsewhere: its old title loses this offer
                await unit.replace_availability(known.content_id, change.platform, ())
                await _withdraw_unless_offered(unit, known.content_id, change)
            await unit.record_applied(command.change_id, ChangeOutcome.APPLIED.value, content_id, self.clock.now())
            await unit.commit()
        return AppliedChange(ChangeOutcome.APPLIED, content_id)

    async def _upsert(self, unit: CatalogChangesUnit, change: CatalogChange, known: PlatformTitle | None) -> UUID:
        details = change.details
        assert details is not None  # content.upserted always carries them
        series_id = await _series(unit, change, details)
        content_id = await _resolve(unit, change, details, known, series_id)
        if content_id is None:
            await unit.hold_new_titles()
            content_id = await _resolve(unit, change, details, known, series_id)
        stored = await unit.title(content_id) if content_id is not None else None
        if stored is None:
            content = _with_details(_blank(self.ids.new_id(), details, series_id), details)
            await unit.save_title(content, change.occurred_at)
        else:
            content = await _updated(unit, stored, change, details)
        await unit.replace_availability(content.id, change.platform, _offers(change))
        return content.id

    async def _replace_offers(
        self, unit: CatalogChangesUnit, change: CatalogChange, known: PlatformTitle | None
    ) -> UUID:
        content_id = known.content_id if known is not None else None
        if content_id is None:
            content_id = await unit.offered_as(change.platform, change.platform_content_id)
        stored = await unit.title(content_id) if content_id is not None else None
        if stored is None:
            raise UnknownTitle(
                f"{change.platform} never announced the title {change.platform_content_id!r}.",
            )
        await unit.replace_availability(stored.content.id, change.platform, _offers(change))
        if change.type is ChangeType.AVAILABILITY_CHANGED and stored.content.withdrawn:
            await unit.save_title(attrs.evolve(stored.content, withdrawn_at=None), stored.details_changed_at)
        return stored.content.id


async def _series(unit: CatalogChangesUnit, change: CatalogChange, details: TitleDetails) -> UUID | None:
    if details.episode_of is None:
        return None
    series = details.episode_of.series_platform_content_id
    known = await unit.platform_title(change.platform, series)
    found = known.content_id if known is not None else await unit.offered_as(change.platform, series)
    if found is None:
        raise UnknownSeries(
            f"{change.platform} never announced the series {series!r} of this episode.",
        )
    return found


async def _resolve(
    unit: CatalogChangesUnit,
    change: CatalogChange,
    details: TitleDetails,
    known: PlatformTitle | None,
    series_id: UUID | None,
) -> UUID | None:
    if details.external_ids.known():
        found = await unit.with_external_ids(details.external_ids, details.kind)
        if found is not None:
            return found
    if known is not None:
        return known.content_id
    found = await unit.offered_as(change.platform, change.platform_content_id)
    if found is not None:
        return found
    if details.episode_of is not None and series_id is not None:
        return await unit.episode(series_id, details.episode_of.season_number, details.episode_of.episode_number)
    return await unit.titled(title_key(details.title), details.release_year, details.kind)


def _blank(content_id: UUID, details: TitleDetails, series_id: UUID | None) -> Content:
    return Content(
        id=content_id,
        title=details.title,
        kind=details.kind,
        release_year=details.release_year,
        genres=(),
        synopsis="",
        availability=(),
        series_id=series_id,
    )


def _with_details(content: Content, details: TitleDetails) -> Content:
    """The title as the change describes it; its kind and series stay as first announced."""
    episode = details.episode_of
    return attrs.evolve(
        content,
        title=details.title,
        release_year=details.release_year,
        genres=details.genres,
        synopsis=details.synopsis,
        runtime_seconds=details.runtime_seconds,
        season_number=episode.season_number if episode and content.series_id else content.season_number,
        episode_number=episode.episode_number if episode and content.series_id else content.episode_number,
        external_ids=content.external_ids.merged(details.external_ids),
        withdrawn_at=None,
    )


async def _updated(
    unit: CatalogChangesUnit, stored: StoredTitle, change: CatalogChange, details: TitleDetails
) -> Content:
    newer = stored.details_changed_at is None or change.occurred_at > stored.details_changed_at
    if newer:
        content = _with_details(stored.content, details)
        await unit.save_title(content, change.occurred_at)
        return content
    # An older announcement of the details loses to the newer one, but its ids still count and
    # the platform offering the title brings it back.
    content = attrs.evolve(
        stored.content, external_ids=details.external_ids.merged(stored.content.external_ids), withdrawn_at=None
    )
    if content != stored.content:
        await unit.save_title(content, stored.details_changed_at)
    return content


def _offers(change: CatalogChange) -> tuple[Availability, ...]:
    return tuple(
        Availability(
            platform=change.platform,
            region=offer.region,
            deep_link=offer.deep_link,
            platform_content_id=change.platform_content_id,
            available_from=offer.available_from,
            available_until=offer.available_until,
        )
        for offer in change.availability
    )


async def _withdraw_unless_offered(unit: CatalogChangesUnit, content_id: UUID, change: CatalogChange) -> None:
    if await unit.offered_by_any_platform(content_id):
        return
    stored = await unit.title(content_id)
    if stored is not None and not stored.content.withdrawn:
        await unit.save_title(attrs.evolve(stored.content, withdrawn_at=change.occurred_at), stored.details_changed_at)
