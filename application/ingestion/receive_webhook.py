"""Receiving a platform's delivery: verify its signature over the raw body, only then read it,
deduplicate and append it to the stream, nothing heavier on the request path."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta

from attrs import frozen

from application.ingestion.ingested_change import IngestedChange
from application.ingestion.normaliser_ports import PlatformNormalisers
from application.ingestion.receiving_ports import ReceivingObserver
from application.ingestion.receiving_registrations import ReceivingRegistrations
from application.ingestion.stream_ports import Busy, DeliveryIntake, Duplicate
from application.shared.ports import Clock, IdGenerator
from domain.ingestion.errors import IntakeBusy, PayloadRejected, PayloadTooLarge, SignatureRejected, UnknownPlatform
from domain.ingestion.signatures import verify_delivery

log = logging.getLogger(__name__)


@frozen
class ReceiveWebhookCommand:
    platform: str
    headers: Mapping[str, str]
    body: bytes  # as it arrived: what was signed


@frozen
class ReceivedDelivery:
    event_id: str
    duplicate: bool


@frozen
class ReceivingLimits:
    max_body_bytes: int
    timestamp_tolerance: timedelta
    dedup_horizon: timedelta
    backlog_limit: int
    retry_after_seconds: int


@frozen
class ReceiveWebhook:
    """Raise UnknownPlatform (none enabled), PayloadTooLarge, SignatureRejected, PayloadRejected
    (after a valid signature only) or IntakeBusy; on each nothing reaches the stream."""

    registrations: ReceivingRegistrations
    normalisers: PlatformNormalisers
    intake: DeliveryIntake
    observer: ReceivingObserver
    clock: Clock
    ids: IdGenerator
    limits: ReceivingLimits

    async def __call__(self, command: ReceiveWebhookCommand) -> ReceivedDelivery:
        platform = command.platform
        receiving = await self.registrations.enabled_for(platform)
        if receiving is None:
            raise UnknownPlatform(f"No platform '{platform}' is registered for webhooks.")
        if len(command.body) > self.limits.max_body_bytes:
            self.observer.rejected(platform, "too_large")
            raise PayloadTooLarge(f"A delivery is at most {self.limits.max_body_bytes} bytes.")
        registration = receiving.registration
        now = self.clock.now()
        try:
            verified = verify_delivery(
                registration.scheme,
                command.headers,
                command.body,
                receiving.keys_valid_at(now),
                now,
                self.limits.timestamp_tolerance,
            )
        except SignatureRejected as refused:
            # The sender sees one problem type; why is told here and in the metrics only.
            log.info("webhook delivery refused: signature %s", refused.reason, extra={"platform": platform})
            self.observer.rejected(platform, refused.reason)
            raise
        self.observer.received(platform)
        try:
            normalised = self.normalisers.named(registration.format).normalise(platform, command.body)
            delivery_id = verified.delivery_id or normalised.delivery_id
            if not delivery_id:
                raise PayloadRejected("The event carries no id.", field="id")
        except PayloadRejected as refused:
            log.info("webhook delivery refused: payload (%s)", refused.detail, extra={"platform": platform})
            self.observer.rejected(platform, "payload")
            raise
        change = normalised.change
        entry = IngestedChange(
            event_id=str(self.ids.new_id()),
            platform=platform,
            delivery_id=delivery_id,
            fingerprint=change.fingerprint(),
            change=change,
            received_at=now,
        )
        outcome = await self.intake.accept(
            entry, backlog_limit=self.limits.backlog_limit, horizon=self.limits.dedup_horizon
        )
        if isinstance(outcome, Busy):
            self.observer.rejected(platform, "busy")
            raise IntakeBusy(self.limits.retry_after_seconds)
        if isinstance(outcome, Duplicate):
            self.observer.duplicate(platform, outcome.level)
            return ReceivedDelivery(outcome.event_id, duplicate=True)
        return ReceivedDelivery(outcome.event_id, duplicate=False)
