"""The sync event stream (Server-Sent Events) of a user's changes on their other devices.

A comment line as soon as the subscription is in place, the events, a keep-alive comment each
heartbeat with nothing to send, and at each heartbeat the credential is checked again: a stream
outlives its token, so logout, a revoked session family or key, or expiry ends it with
``session_ended``. A broker that goes away ends it with a ``retry`` hint.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from prometheus_client import Counter
from quart import Response

from application.playback.sync_ports import Subscription, SyncEvent
from entrypoints.http.problems import DEPENDENCY_ERRORS
from entrypoints.telemetry.metrics import SYNC_CONNECTIONS, SYNC_EVENTS_DELIVERED

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 15.0
RECONNECT_AFTER_MS = 5000
EVENT_KINDS = ("progress", "completed", "next_episode", "dismissed")
_DELIVERED = {kind: SYNC_EVENTS_DELIVERED.labels(kind=kind) for kind in EVENT_KINDS}


def sse_frame(event: SyncEvent) -> bytes:
    data = {
        "content_id": str(event.content_id),
        "device_id": event.device_id,
        "position_seconds": event.position_seconds,
        "progress_percent": event.progress_percent,
        "completed": event.completed,
        "occurred_at": event.occurred_at.isoformat(),
    }
    return f"id: {event.server_order}\nevent: {event.kind}\ndata: {json.dumps(data)}\n\n".encode()


async def sync_event_frames(
    events: Subscription, still_allowed: Callable[[], Awaitable[bool]], own_device: str | None
) -> AsyncIterator[bytes]:
    """The stream's bytes, until the credential stops being valid, the broker goes away or the
    client leaves (then the subscription is closed). ``own_device``'s own changes are skipped."""
    pending: asyncio.Task[SyncEvent] | None = None
    checked_at = time.monotonic()
    SYNC_CONNECTIONS.inc()
    try:
        yield b": connected\n\n"
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
                yield sse_frame(event)
                _delivered(event.kind).inc()
    except DEPENDENCY_ERRORS as error:
        # The 200 is already sent: end the stream and let the client reconnect in a while.
        pending = None
        log.warning("sync stream ended: broker unavailable", extra={"error_type": type(error).__name__})
        yield f"retry: {RECONNECT_AFTER_MS}\n\n".encode()
    finally:
        SYNC_CONNECTIONS.dec()
        # The client went away. Stop the pending read before closing the subscription:
        # an async generator cannot be closed while another task is inside it.
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        await events.aclose()


def _delivered(kind: str) -> Counter:
    return _DELIVERED.get(kind) or SYNC_EVENTS_DELIVERED.labels(kind="other")


def event_stream_response(frames: AsyncIterator[bytes]) -> Response:
    response = Response(frames, content_type="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    response.timeout = None
    return response
