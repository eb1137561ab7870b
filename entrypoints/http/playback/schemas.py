from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from application.playback.continue_watching import MAX_LIMIT
from application.playback.continue_watching_ports import ContinueWatchingEntry
from domain.playback.progress import MAX_PLAYBACK_SECONDS, WatchProgress
from entrypoints.http.catalog.schemas import AvailabilityOut

Identifier = Annotated[str, Meta(min_length=1, max_length=128)]
# Lax msgspec turns the strings "NaN" and "Infinity" into floats: a bound on both sides refuses
# every non-finite value (msgspec fails NaN on any bound), and the domain checks again.
Position = Annotated[float, Meta(ge=0, le=MAX_PLAYBACK_SECONDS)]
Duration = Annotated[float, Meta(gt=0, le=MAX_PLAYBACK_SECONDS)]


class ProgressIn(Struct, forbid_unknown_fields=True):
    content_id: str
    position_seconds: Position
    device_id: Identifier
    session_id: Identifier
    sequence: Annotated[int, Meta(ge=0)]
    duration_seconds: Duration | None = None


class ProgressOut(Struct):
    content_id: str
    position_seconds: float
    duration_seconds: float
    progress_percent: float
    completed: bool
    updated_at: str
    device_id: str


class ContinueWatchingItemOut(Struct):
    id: str
    title: str
    kind: str
    runtime_seconds: int | None
    release_year: int
    genres: list[str]
    availability: list[AvailabilityOut]
    series_id: str | None
    season_number: int | None
    episode_number: int | None
    position_seconds: float
    progress_percent: float
    last_watched_at: str
    device_id: str | None
    reason: str


class ContinueWatchingOut(Struct):
    items: list[ContinueWatchingItemOut]
    next_cursor: str | None


class ContinueWatchingArgs(Struct):
    limit: Annotated[int, Meta(ge=1, le=MAX_LIMIT)] = 20
    cursor: Annotated[str, Meta(min_length=1, max_length=512)] | None = None


class SyncArgs(Struct):
    device_id: Identifier | None = None


def progress_out(progress: WatchProgress) -> ProgressOut:
    return ProgressOut(
        content_id=str(progress.content_id),
        position_seconds=progress.position_seconds,
        duration_seconds=progress.duration_seconds,
        progress_percent=progress.progress_percent,
        completed=progress.completed,
        updated_at=progress.updated_at.isoformat(),
        device_id=progress.device_id,
    )


def continue_watching_item_out(entry: ContinueWatchingEntry) -> ContinueWatchingItemOut:
    item, progress = entry.content, entry.progress
    return ContinueWatchingItemOut(
        id=str(item.id),
        title=item.title,
        kind=item.kind.value,
        runtime_seconds=item.runtime_seconds,
        release_year=item.release_year,
        genres=list(item.genres),
        availability=[AvailabilityOut(a.platform, a.region, a.deep_link) for a in item.availability],
        series_id=str(item.series_id) if item.series_id else None,
        season_number=item.season_number,
        episode_number=item.episode_number,
        position_seconds=progress.position_seconds,
        progress_percent=progress.progress_percent,
        last_watched_at=progress.updated_at.isoformat(),
        device_id=progress.device_id or None,
        reason=progress.reason.value,
    )
