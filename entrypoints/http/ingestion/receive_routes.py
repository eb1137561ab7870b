"""Receiving a platform's delivery: ``POST /api/v1/webhooks/{platform}``, signed, not signed in."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from quart import request
from quart_schema import tag

from application.ingestion.receive_webhook import ReceiveWebhook, ReceiveWebhookCommand
from domain.ingestion.errors import PayloadTooLarge
from entrypoints.config import Settings
from entrypoints.container import Container
from entrypoints.http.ingestion import receive_problems  # noqa: F401  (its problem types, which the route declares)
from entrypoints.http.ingestion.blueprint import ingestion
from entrypoints.http.ingestion.registration_schemas import ReceivedOut
from entrypoints.http.openapi_declarations import problems, responds


async def _capped_body(limit: int) -> bytes:
    """The raw body, refused as soon as it is known to pass ``limit``: from Content-Length before
    reading anything, else while reading (a chunked body), never past the limit."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise PayloadTooLarge(f"A delivery is at most {limit} bytes.")
    body = bytearray()
    async for chunk in request.body:
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"A delivery is at most {limit} bytes.")
    return bytes(body)


@ingestion.post("/api/v1/webhooks/<platform>")
@tag(["webhooks"])
@problems(
    "unknown-webhook-platform",
    "invalid-webhook-signature",
    "invalid-webhook-payload",
    "webhook-payload-too-large",
    "webhook-backlog-full",
)
@responds(202, ReceivedOut, description="Verified, deduplicated and queued (or a duplicate of one queued before)")
@inject
async def receive_webhook(
    platform: str,
    receive: ReceiveWebhook = Provide[Container.ingestion.receive_webhook],
    settings: Settings = Provide[Container.settings],
) -> tuple[dict[str, object], int]:
    """A registered platform's delivery, signed as its registration's `scheme` says (Standard
    Webhooks' `webhook-id`/`webhook-timestamp`/`webhook-signature`, GitHub's
    `X-Hub-Signature-256`/`X-GitHub-Delivery`, or Stripe's `Stripe-Signature`) over the raw body,
    in the registration's `format`. 202 once verified, deduplicated and queued; a duplicate is a
    202 with `duplicate: true`. 401 for any signature problem (one type); the body is read only
    after a valid signature. 429 with `Retry-After` when the queue is full: retry later."""
    body = await _capped_body(settings.ingestion.max_body_bytes)
    received = await receive(ReceiveWebhookCommand(platform=platform, headers=dict(request.headers), body=body))
    return {"event_id": received.event_id, "duplicate": received.duplicate}, 202
