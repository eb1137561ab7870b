"""A platform registered to push catalog changes to us, and the rules of its signing secrets."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from uuid import UUID

import attrs
from attrs import frozen

from domain.catalog.catalog_change import valid_platform
from domain.catalog.errors import InvalidCatalogChange
from domain.ingestion.errors import InvalidRegistration, RegistrationDisabled

# Paths under /api/v1/webhooks/ that are ours, not a platform's receiving URL.
RESERVED_PLATFORM_NAMES = frozenset({"registrations", "dead-letters", "replay", "health"})
MAX_DESCRIPTION_LENGTH = 500


class SignatureScheme(Enum):
    STANDARD = "standard"  # Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature (v1,<base64>)
    GITHUB = "github"  # X-Hub-Signature-256: sha256=<hex>, X-GitHub-Delivery
    STRIPE = "stripe"  # Stripe-Signature: t=<unix>,v1=<hex>; the event id is the body's "id"


def registration_platform(name: str) -> str:
    if name in RESERVED_PLATFORM_NAMES:
        raise InvalidRegistration(f"'{name}' is reserved; choose another platform name.", field="platform")
    try:
        return valid_platform(name)
    except InvalidCatalogChange as error:
        raise InvalidRegistration(str(error), field="platform") from None


@frozen
class SigningSecret:
    """A secret as the registration keeps it: sealed (encrypted) with a key id, never in plaintext."""

    key_id: str
    sealed: bytes = attrs.field(repr=False)


@frozen
class WebhookRegistration:
    id: UUID
    platform: str
    scheme: SignatureScheme
    format: str  # the normaliser's name: "generic" or a platform-specific one
    description: str
    created_at: datetime
    secret: SigningSecret
    previous_secret: SigningSecret | None = None
    previous_valid_until: datetime | None = None  # the end of the rotation's overlap
    rotated_at: datetime | None = None
    disabled_at: datetime | None = None

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None

    def previous_secret_valid(self, now: datetime) -> bool:
        return (
            self.previous_secret is not None
            and self.previous_valid_until is not None
            and now < self.previous_valid_until
        )

    def secrets_valid_at(self, now: datetime) -> tuple[SigningSecret, ...]:
        """The secrets a delivery may be signed with now: the current one, and the previous one
        while the overlap lasts."""
        if self.previous_secret is not None and self.previous_secret_valid(now):
            return (self.secret, self.previous_secret)
        return (self.secret,)

    def rotated(self, new_secret: SigningSecret, now: datetime, overlap: timedelta) -> WebhookRegistration:
        """The current secret becomes the previous one, valid for ``overlap`` more; a previous
        secret still in its overlap is dropped (two rotations in a row end the first overlap)."""
        self._ensure_enabled()
        return attrs.evolve(
            self,
            secret=new_secret,
            previous_secret=self.secret,
            previous_valid_until=now + overlap,
            rotated_at=now,
        )

    def overlap_ended(self) -> WebhookRegistration:
        self._ensure_enabled()
        return attrs.evolve(self, previous_secret=None, previous_valid_until=None)

    def disabled(self, now: datetime) -> WebhookRegistration:
        if self.disabled_at is not None:
            return self
        return attrs.evolve(self, disabled_at=now, previous_secret=None, previous_valid_until=None)

    def _ensure_enabled(self) -> None:
        if self.disabled_at is not None:
            raise RegistrationDisabled(f"The registration for '{self.platform}' is disabled.")
