from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

from dependency_injector.wiring import Provide, inject
from msgspec import Meta, Struct
from quart import Blueprint, Response, request
from quart_schema import tag, validate_querystring, validate_request, validate_response

from application.identity.authenticate import Authenticate
from application.playback.continue_watching import (
    MAX_LIMIT,
    DismissFromContinueWatching,
    DismissFromContinueWatchingCommand,
    GetResumePoint,
    ListContinueWatching,
)
from application.playback.continue_watching_ports import ContinueWatchingEntry
from application.playback.record_progress import RecordProgress, RecordProgressCommand
from application.playback.sync_ports import SyncBroker, SyncEvent
from domain.playback.errors import ProgressNotFound
from domain.playback.progress import MAX_PLAYBACK_SECONDS, WatchProgress
from domain.shared.errors import DomainError
from entrypoints.container import Container
from entrypoints.http.authentication import authenticated
from entrypoints.http.catalog_schemas import AvailabilityOut
from entrypoints.http.openapi import problems, responds, signed_in
from entrypoints.http.problems import DEPENDENCY_ERRORS

playback = Blueprint("playback", __name__)
log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 15.0
RECONNECT_AFTER_MS = 5000

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


def _item(entry: ContinueWatchingEntry) -> ContinueWatchingItemOut:
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


def _content_id(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        from domain.catalog.errors import ContentNotFound

        raise ContentNotFound(f"No content with id {raw!r}.") from None


@playback.post("/api/v1/playback/progress")
@tag(["playback"])
@signed_in("write")
@problems("content-not-found", "invalid-progress", "stale-progress")
@validate_request(ProgressIn)
@validate_response(ProgressOut, 200)
@inject
async def record(
    data: ProgressIn,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    record_progress: RecordProgress = Provide[Container.playback.record_progress],
) -> ProgressOut:
    """Record where a device is. `sequence` increases within a playback `session_id`; a lower one
    than already recorded answers 409 with the winning state, a repeated one changes nothing."""
    principal = await authenticated(authenticate, "write")
    state = await record_progress(
        RecordProgressCommand(
            user_id=principal.user_id,
            content_id=_content_id(data.content_id),
            position_seconds=data.position_seconds,
            device_id=data.device_id,
            session_id=data.session_id,
            sequence=data.sequence,
            duration_seconds=data.duration_seconds,
        )
    )
    return progress_out(state)


@playback.get("/api/v1/playback/continue-watching")
@tag(["playback"])
@signed_in("read")
@problems("invalid-input")
@validate_querystring(ContinueWatchingArgs)
@validate_response(ContinueWatchingOut, 200)
@inject
async def continue_watching(
    query_args: ContinueWatchingArgs,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    list_items: ListContinueWatching = Provide[Container.playback.list_continue_watching],
) -> ContinueWatchingOut:
    """Titles to pick up again, newest first: one entry per series, next episodes included."""
    principal = await authenticated(authenticate, "read")
    page = await list_items(principal.user_id, query_args.limit, query_args.cursor)
    return ContinueWatchingOut(items=[_item(e) for e in page.items], next_cursor=page.next_cursor)


@playback.delete("/api/v1/playback/continue-watching/<content_id>")
@tag(["playback"])
@signed_in("write")
@problems("progress-not-found")
@responds(204, description="Hidden")
@inject
async def dismiss(
    content_id: str,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    dismiss_item: DismissFromContinueWatching = Provide[Container.playback.dismiss_from_continue_watching],
) -> tuple[str, int]:
    """Hide a title from Continue Watching until new progress arrives for it."""
    principal = await authenticated(authenticate, "write")
    try:
        parsed = UUID(content_id)
    except ValueError:
        raise ProgressNotFound("This title is not in Continue Watching.") from None
    await dismiss_item(DismissFromContinueWatchingCommand(principal.user_id, parsed))
    return "", 204


@playback.get("/api/v1/playback/progress/<content_id>")
@tag(["playback"])
@signed_in("read")
@problems("content-not-found", "progress-not-found")
@validate_response(ProgressOut, 200)
@inject
async def resume_point(
    content_id: str,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    get_resume_point: GetResumePoint = Provide[Container.playback.get_resume_point],
) -> ProgressOut:
    """Where to start playing on this device: the latest recorded state from any device."""
    principal = await authenticated(authenticate, "read")
    return progress_out(await get_resume_point(principal.user_id, _content_id(content_id)))


def _sse(event: SyncEvent) -> bytes:
    data = {
        "content_id": str(event.content_id),
        "device_id": event.device_id,
        "position_seconds": event.position_seconds,
        "progress_percent": event.progress_percent,
        "completed": event.completed,
        "occurred_at": event.occurred_at.isoformat(),
    }
    return f"id: {event.server_order}\nevent: {event.kind}\ndata: {json.dumps(data)}\n\n".encode()


@playback.get("/api/v1/sync/events")
@tag(["playback"])
@signed_in("read")
@responds(200, media_type="text/event-stream", model={"type": "string"}, description="An endless event stream")
@validate_querystring(SyncArgs)
@inject
async def sync_events(
    query_args: SyncArgs,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    broker: SyncBroker = Provide[Container.playback.sync_broker],
) -> Response:
    """Server-Sent Events: `progress`, `completed`, `next_episode` and `dismissed` changes made on
    the user's other devices (pass your own `device_id` to skip your own), from every server process.
    The credential is checked again every heartbeat: once it stops being valid (logout, revocation,
    expiry) the stream sends `session_ended` and closes."""
    principal = await authenticated(authenticate, "read")
    own_device = query_args.device_id
    credentials = (request.headers.get("Authorization"), request.headers.get("X-API-Key"), request.remote_addr)

    async def still_allowed() -> bool:
        # A stream outlives its token: logout, a revoked family or key, or expiry ends it.
        try:
            (await authenticate(*credentials)).principal.require_scope("read")
        except DomainError:
            return False
        return True

    # Subscribed before the 200: "connected" means listening, and a broker that is down is a 503.
    events = await broker.subscribe(principal.user_id)

    async def stream() -> AsyncIterator[bytes]:
        yield b": connected\n\n"
        pending: asyncio.Task[SyncEvent] | None = None
        checked_at = time.monotonic()
        try:
            while True:
                pending = pending or asyncio.ensure_future(anext(events))
                done, _ = await asyncio.wait({pending}, timeout=HEARTBEAT_SECONDS)
                if time.monotonic() - checked_at >= HEARTBEAT_SECONDS:
                    checked_at = time.monotonic()
                    if not await still_allowed():
                        yield b"event: session_ended\ndata: {}\n\n"
                        return
                if not done:
                    yield b": keep-alive\n\n"
                    continue
                event = pending.result()
                pending = None
                if own_device is None or event.device_id != own_device:
                    yield _sse(event)
        except DEPENDENCY_ERRORS as error:
            # The 200 is already sent: end the stream and let the client reconnect in a while.
            pending = None
            log.warning("sync stream ended: broker unavailable", extra={"error_type": type(error).__name__})
            yield f"retry: {RECONNECT_AFTER_MS}\n\n".encode()
        finally:
            # The client went away. Stop the pending read before closing the subscription:
            # an async generator cannot be closed while another task is inside it.
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                    await pending
            await events.aclose()

    response = Response(stream(), content_type="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    response.timeout = None
    return response
