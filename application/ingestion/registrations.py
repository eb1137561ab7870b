"""What administrators do with platform registrations: register, list, read, rotate the secret,
end a rotation's overlap early, disable. Each change is written in the administrator's security
log in the same transaction; a secret is answered once (registering, rotating) and kept sealed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from attrs import frozen

from application.identity.mfa_ports import SecretBox
from application.identity.principal import Principal
from application.ingestion.normaliser_ports import PlatformNormalisers
from application.ingestion.receiving_registrations import ReceivingRegistrations
from application.ingestion.registration_ports import RegistrationUnitOfWork, RegistrationUnitOfWorkFactory
from application.ingestion.signing_secrets import new_secret, seal
from application.shared.ports import Clock, IdGenerator, SecretGenerator
from domain.identity.security_event import SecurityEvent, SecurityEventKind
from domain.ingestion.errors import InvalidRegistration, RegistrationNotFound
from domain.ingestion.registration import (
    MAX_DESCRIPTION_LENGTH,
    SignatureScheme,
    WebhookRegistration,
    registration_platform,
)


@frozen
class RegisterPlatformCommand:
    principal: Principal
    platform: str
    scheme: str
    format: str = "generic"
    description: str = ""
    ip: str | None = None


@frozen
class RegistrationWithSecret:
    """A registration and its new signing secret: shown to the administrator this once."""

    registration: WebhookRegistration
    secret: str


@frozen
class RegistrationCommand:
    principal: Principal
    registration_id: UUID
    ip: str | None = None


def _scheme(value: str) -> SignatureScheme:
    try:
        return SignatureScheme(value)
    except ValueError:
        known = ", ".join(s.value for s in SignatureScheme)
        raise InvalidRegistration(f"Unknown scheme '{value}'; known schemes: {known}.", field="scheme") from None


async def _log(
    uow: RegistrationUnitOfWork,
    ids: IdGenerator,
    command: RegisterPlatformCommand | RegistrationCommand,
    kind: SecurityEventKind,
    registration: WebhookRegistration,
    now: datetime,
    **details: Any,
) -> None:
    """The entry in the administrator's security log, in the change's own transaction."""
    await uow.security_events.add(
        SecurityEvent(
            id=ids.new_id(),
            user_id=command.principal.user_id,
            kind=kind,
            occurred_at=now,
            ip=command.ip,
            details={"registration_id": str(registration.id), "platform": registration.platform, **details},
        )
    )


async def _changeable(uow: RegistrationUnitOfWork, registration_id: UUID) -> WebhookRegistration:
    registration = await uow.registrations.get(registration_id)
    if registration is None:
        raise RegistrationNotFound("No such webhook registration.")
    return registration


@frozen
class RegisterPlatform:
    uow: RegistrationUnitOfWorkFactory
    normalisers: PlatformNormalisers
    box: SecretBox
    secrets: SecretGenerator
    ids: IdGenerator
    clock: Clock
    receiving: ReceivingRegistrations

    async def __call__(self, command: RegisterPlatformCommand) -> RegistrationWithSecret:
        platform = registration_platform(command.platform)
        scheme = _scheme(command.scheme)
        self.normalisers.named(command.format)
        if len(command.description) > MAX_DESCRIPTION_LENGTH:
            raise InvalidRegistration(
                f"The description is longer than {MAX_DESCRIPTION_LENGTH} characters.", field="description"
            )
        registration_id = self.ids.new_id()
        secret = new_secret(scheme, self.secrets)
        registration = WebhookRegistration(
            id=registration_id,
            platform=platform,
            scheme=scheme,
            format=command.format,
            description=command.description,
            created_at=self.clock.now(),
            secret=seal(self.box, registration_id, secret),
        )
        async with self.uow() as uow:
            await uow.registrations.add(registration)
            await _log(
                uow,
                self.ids,
                command,
                SecurityEventKind.WEBHOOK_REGISTERED,
                registration,
                registration.created_at,
                scheme=scheme.value,
                format=command.format,
            )
            await uow.commit()
        self.receiving.forget(platform)
        return RegistrationWithSecret(registration, secret)


@frozen
class ListRegistrations:
    uow: RegistrationUnitOfWorkFactory

    async def __call__(self) -> list[WebhookRegistration]:
        async with self.uow() as uow:
            return await uow.registrations.list_all()


@frozen
class GetRegistration:
    uow: RegistrationUnitOfWorkFactory

    async def __call__(self, registration_id: UUID) -> WebhookRegistration:
        async with self.uow() as uow:
            return await _changeable(uow, registration_id)


@frozen
class RotateSecret:
    """A new secret; the current one stays valid for ``overlap`` (a previous one still in its
    overlap ends now). 409 for a disabled registration."""

    uow: RegistrationUnitOfWorkFactory
    box: SecretBox
    secrets: SecretGenerator
    ids: IdGenerator
    clock: Clock
    overlap: timedelta
    receiving: ReceivingRegistrations

    async def __call__(self, command: RegistrationCommand) -> RegistrationWithSecret:
        now = self.clock.now()
        async with self.uow() as uow:
            registration = await _changeable(uow, command.registration_id)
            secret = new_secret(registration.scheme, self.secrets)
            rotated = registration.rotated(seal(self.box, registration.id, secret), now, self.overlap)
            await uow.registrations.save(rotated)
            assert rotated.previous_valid_until is not None
            await _log(
                uow,
                self.ids,
                command,
                SecurityEventKind.WEBHOOK_SECRET_ROTATED,
                rotated,
                now,
                previous_valid_until=rotated.previous_valid_until.isoformat(),
            )
            await uow.commit()
        self.receiving.forget(rotated.platform)
        return RegistrationWithSecret(rotated, secret)


@frozen
class EndSecretOverlap:
    """The previous secret stops being accepted now."""

    uow: RegistrationUnitOfWorkFactory
    ids: IdGenerator
    clock: Clock
    receiving: ReceivingRegistrations

    async def __call__(self, command: RegistrationCommand) -> WebhookRegistration:
        now = self.clock.now()
        async with self.uow() as uow:
            registration = await _changeable(uow, command.registration_id)
            ended = registration.overlap_ended()
            if registration.previous_secret_valid(now):
                await uow.registrations.save(ended)
                await _log(uow, self.ids, command, SecurityEventKind.WEBHOOK_SECRET_OVERLAP_ENDED, ended, now)
                await uow.commit()
        self.receiving.forget(ended.platform)
        return ended


@frozen
class DisableRegistration:
    """Deliveries for the platform are refused (404) from now on, in this process at once and in
    the others within the registration cache's time. Disabling twice changes nothing."""

    uow: RegistrationUnitOfWorkFactory
    ids: IdGenerator
    clock: Clock
    receiving: ReceivingRegistrations

    async def __call__(self, command: RegistrationCommand) -> WebhookRegistration:
        now = self.clock.now()
        async with self.uow() as uow:
            registration = await _changeable(uow, command.registration_id)
            if not registration.enabled:
                return registration
            disabled = registration.disabled(now)
            await uow.registrations.save(disabled)
            await _log(uow, self.ids, command, SecurityEventKind.WEBHOOK_DISABLED, disabled, now)
            await uow.commit()
        self.receiving.forget(disabled.platform)
        return disabled
