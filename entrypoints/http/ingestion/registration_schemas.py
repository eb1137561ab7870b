from __future__ import annotations

from datetime import datetime

from msgspec import Struct

from domain.ingestion.registration import WebhookRegistration


class RegistrationIn(Struct, forbid_unknown_fields=True):
    """``scheme``: ``standard``, ``github`` or ``stripe``; ``format``: a normaliser's name."""

    platform: str
    scheme: str
    format: str = "generic"
    description: str = ""


class RegistrationOut(Struct):
    """``previous_secret_valid_until`` is set while a rotation's overlap lasts."""

    id: str
    platform: str
    scheme: str
    format: str
    description: str
    enabled: bool
    created_at: str
    rotated_at: str | None
    previous_secret_valid_until: str | None
    disabled_at: str | None


class RegistrationWithSecretOut(Struct):
    """``secret`` is shown in this response only: store it now."""

    registration: RegistrationOut
    secret: str


class RegistrationListOut(Struct):
    items: list[RegistrationOut]


class ReceivedOut(Struct):
    """``event_id`` names the delivery here; ``duplicate``: it was accepted before (the same
    delivery id, or the same change as the title's latest), nothing new was queued."""

    event_id: str
    duplicate: bool


def _instant(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def registration_out(registration: WebhookRegistration, now: datetime) -> RegistrationOut:
    return RegistrationOut(
        id=str(registration.id),
        platform=registration.platform,
        scheme=registration.scheme.value,
        format=registration.format,
        description=registration.description,
        enabled=registration.enabled,
        created_at=registration.created_at.isoformat(),
        rotated_at=_instant(registration.rotated_at),
        previous_secret_valid_until=(
            _instant(registration.previous_valid_until) if registration.previous_secret_valid(now) else None
        ),
        disabled_at=_instant(registration.disabled_at),
    )
