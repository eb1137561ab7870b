"""The registrations as receiving sees them: read once per ``ttl`` per platform in this
process, their secrets opened and turned into HMAC keys once, not on every delivery."""

from __future__ import annotations

from datetime import datetime, timedelta

from attrs import frozen

from application.identity.mfa_ports import SecretBox
from application.ingestion.registration_ports import RegistrationLookup
from application.ingestion.signing_secrets import opened
from application.shared.ports import Clock
from domain.ingestion.registration import SigningSecret, WebhookRegistration
from domain.ingestion.signatures import signing_key

# Past this many platforms remembered (most of them names nobody registered), start again.
MAX_REMEMBERED = 1024


@frozen
class ReceivingRegistration:
    registration: WebhookRegistration
    current_key: bytes
    previous_key: bytes | None

    def keys_valid_at(self, now: datetime) -> tuple[bytes, ...]:
        if self.previous_key is not None and self.registration.previous_secret_valid(now):
            return (self.current_key, self.previous_key)
        return (self.current_key,)


class ReceivingRegistrations:
    """An enabled registration for a platform, or None (none, or disabled). A change made in
    another process is seen within ``ttl``; the changes made here ``forget`` at once."""

    def __init__(self, lookup: RegistrationLookup, box: SecretBox, clock: Clock, ttl: timedelta) -> None:
        self._lookup, self._box, self._clock, self._ttl = lookup, box, clock, ttl
        self._remembered: dict[str, tuple[ReceivingRegistration | None, datetime]] = {}

    async def enabled_for(self, platform: str) -> ReceivingRegistration | None:
        now = self._clock.now()
        remembered = self._remembered.get(platform)
        if remembered is not None and now < remembered[1]:
            return remembered[0]
        registration = await self._lookup.enabled_for(platform)
        found = self._receiving(registration) if registration is not None and registration.enabled else None
        if len(self._remembered) >= MAX_REMEMBERED:
            self._remembered.clear()
        self._remembered[platform] = (found, now + self._ttl)
        return found

    def forget(self, platform: str) -> None:
        self._remembered.pop(platform, None)

    def _receiving(self, registration: WebhookRegistration) -> ReceivingRegistration:
        previous = registration.previous_secret
        return ReceivingRegistration(
            registration=registration,
            current_key=self._key(registration, registration.secret),
            previous_key=self._key(registration, previous) if previous is not None else None,
        )

    def _key(self, registration: WebhookRegistration, secret: SigningSecret) -> bytes:
        return signing_key(registration.scheme, opened(self._box, registration, secret))
