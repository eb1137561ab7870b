from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from quart import Blueprint, Response
from quart_schema import tag, validate_querystring, validate_request, validate_response

from application.identity.authenticate import Authenticate
from application.playback.continue_watching import (
    DismissFromContinueWatching,
    DismissFromContinueWatchingCommand,
    GetResumePoint,
    ListContinueWatching,
)
from application.playback.record_progress import RecordProgress, RecordProgressCommand
from application.playback.sync_ports import SyncBroker
from domain.playback.errors import ProgressNotFound
from entrypoints.container import Container
from entrypoints.http.authentication import authenticated, credential_check
from entrypoints.http.catalog.content_ids import content_id as parse_content_id
from entrypoints.http.openapi_declarations import problems, responds, signed_in

# Registered before any route below declares one of its codes with @problems (checked there).
from entrypoints.http.playback import problems as _  # noqa: F401
from entrypoints.http.playback.event_stream import event_stream_response, sync_event_frames
from entrypoints.http.playback.schemas import (
    ContinueWatchingArgs,
    ContinueWatchingOut,
    ProgressIn,
    ProgressOut,
    SyncArgs,
    continue_watching_item_out,
    progress_out,
)
from entrypoints.http.uuid_parameters import parse_uuid
from entrypoints.telemetry.metrics import PROGRESS_UPDATES

playback = Blueprint("playback", __name__)
# A stale update raises StaleProgress, counted where it becomes a 409 (entrypoints/telemetry/refusals.py).
_ACCEPTED, _DUPLICATE = PROGRESS_UPDATES.labels(verdict="accepted"), PROGRESS_UPDATES.labels(verdict="duplicate")


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
    recorded = await record_progress(
        RecordProgressCommand(
            user_id=principal.user_id,
            content_id=parse_content_id(data.content_id),
            position_seconds=data.position_seconds,
            device_id=data.device_id,
            session_id=data.session_id,
            sequence=data.sequence,
            duration_seconds=data.duration_seconds,
        )
    )
    (_DUPLICATE if recorded.duplicate else _ACCEPTED).inc()
    return progress_out(recorded.state)


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
    return ContinueWatchingOut(items=[continue_watching_item_out(e) for e in page.items], next_cursor=page.next_cursor)


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
    parsed = parse_uuid(content_id, lambda: ProgressNotFound("This title is not in Continue Watching."))
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
    return progress_out(await get_resume_point(principal.user_id, parse_content_id(content_id)))


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
    still_allowed = credential_check(authenticate, "read")
    # Subscribed before the 200: "connected" means listening, and a broker that is down is a 503.
    events = await broker.subscribe(principal.user_id)
    return event_stream_response(sync_event_frames(events, still_allowed, own_device=query_args.device_id))
