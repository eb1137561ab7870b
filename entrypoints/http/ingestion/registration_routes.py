"""Platform registrations (admin): register, list, read, rotate the secret, end the overlap, disable."""

from __future__ import annotations

from uuid import UUID

from dependency_injector.wiring import Provide, inject
from quart import request
from quart_schema import tag, validate_request, validate_response

from application.identity.authenticate import Authenticate
from application.ingestion.registrations import (
    DisableRegistration,
    EndSecretOverlap,
    GetRegistration,
    ListRegistrations,
    RegisterPlatform,
    RegisterPlatformCommand,
    RegistrationCommand,
    RegistrationWithSecret,
    RotateSecret,
)
from application.shared.ports import Clock
from entrypoints.container import Container
from entrypoints.http.authentication import authenticated
from entrypoints.http.ingestion import receive_problems  # noqa: F401  (its problem types, which the routes declare)
from entrypoints.http.ingestion.blueprint import ingestion
from entrypoints.http.ingestion.registration_schemas import (
    RegistrationIn,
    RegistrationListOut,
    RegistrationOut,
    RegistrationWithSecretOut,
    registration_out,
)
from entrypoints.http.openapi_declarations import problems, signed_in

NO_STORE = {"Cache-Control": "no-store"}


def _with_secret(created: RegistrationWithSecret, clock: Clock) -> RegistrationWithSecretOut:
    return RegistrationWithSecretOut(
        registration=registration_out(created.registration, clock.now()), secret=created.secret
    )


@ingestion.post("/api/v1/webhooks/registrations")
@tag(["webhooks"])
@signed_in("admin")
@problems("invalid-webhook-registration", "platform-already-registered")
@validate_request(RegistrationIn)
@validate_response(RegistrationWithSecretOut, 201)
@inject
async def register_platform(
    data: RegistrationIn,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    register: RegisterPlatform = Provide[Container.ingestion.register_platform],
    clock: Clock = Provide[Container.shared.clock],
) -> tuple[RegistrationWithSecretOut, int, dict[str, str]]:
    """Register a platform to push catalog changes to `POST /api/v1/webhooks/{platform}`. The
    signing `secret` is in this response only: store it now. `scheme`: `standard` (Standard
    Webhooks), `github` or `stripe`; `format`: the normaliser (default `generic`). Written in your
    security log. 409 while the platform has an enabled registration."""
    principal = await authenticated(authenticate, "admin")
    created = await register(
        RegisterPlatformCommand(
            principal=principal,
            platform=data.platform,
            scheme=data.scheme,
            format=data.format,
            description=data.description,
            ip=request.remote_addr,
        )
    )
    return _with_secret(created, clock), 201, NO_STORE


@ingestion.get("/api/v1/webhooks/registrations")
@tag(["webhooks"])
@signed_in("admin")
@validate_response(RegistrationListOut, 200)
@inject
async def list_registrations(
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    list_all: ListRegistrations = Provide[Container.ingestion.list_registrations],
    clock: Clock = Provide[Container.shared.clock],
) -> RegistrationListOut:
    """Every registration, disabled ones included, oldest first; never a secret."""
    await authenticated(authenticate, "admin")
    now = clock.now()
    return RegistrationListOut(items=[registration_out(r, now) for r in await list_all()])


@ingestion.get("/api/v1/webhooks/registrations/<uuid:registration_id>")
@tag(["webhooks"])
@signed_in("admin")
@problems("webhook-registration-not-found")
@validate_response(RegistrationOut, 200)
@inject
async def get_registration(
    registration_id: UUID,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    get: GetRegistration = Provide[Container.ingestion.get_registration],
    clock: Clock = Provide[Container.shared.clock],
) -> RegistrationOut:
    """One registration; never its secret."""
    await authenticated(authenticate, "admin")
    return registration_out(await get(registration_id), clock.now())


@ingestion.post("/api/v1/webhooks/registrations/<uuid:registration_id>/rotate")
@tag(["webhooks"])
@signed_in("admin")
@problems("webhook-registration-not-found", "webhook-registration-disabled")
@validate_response(RegistrationWithSecretOut, 200)
@inject
async def rotate_secret(
    registration_id: UUID,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    rotate: RotateSecret = Provide[Container.ingestion.rotate_secret],
    clock: Clock = Provide[Container.shared.clock],
) -> tuple[RegistrationWithSecretOut, int, dict[str, str]]:
    """A new signing secret, in this response only. The previous one stays valid for the overlap
    (24 h by default, `previous_secret_valid_until`) so the platform can switch without losing a
    delivery. Written in your security log."""
    principal = await authenticated(authenticate, "admin")
    rotated = await rotate(RegistrationCommand(principal, registration_id, request.remote_addr))
    return _with_secret(rotated, clock), 200, NO_STORE


@ingestion.delete("/api/v1/webhooks/registrations/<uuid:registration_id>/previous-secret")
@tag(["webhooks"])
@signed_in("admin")
@problems("webhook-registration-not-found", "webhook-registration-disabled")
@validate_response(RegistrationOut, 200)
@inject
async def end_secret_overlap(
    registration_id: UUID,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    end_overlap: EndSecretOverlap = Provide[Container.ingestion.end_secret_overlap],
    clock: Clock = Provide[Container.shared.clock],
) -> RegistrationOut:
    """End a rotation's overlap now: deliveries signed with the previous secret are refused.
    Written in your security log."""
    principal = await authenticated(authenticate, "admin")
    ended = await end_overlap(RegistrationCommand(principal, registration_id, request.remote_addr))
    return registration_out(ended, clock.now())


@ingestion.delete("/api/v1/webhooks/registrations/<uuid:registration_id>")
@tag(["webhooks"])
@signed_in("admin")
@problems("webhook-registration-not-found")
@validate_response(RegistrationOut, 200)
@inject
async def disable_registration(
    registration_id: UUID,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    disable: DisableRegistration = Provide[Container.ingestion.disable_registration],
    clock: Clock = Provide[Container.shared.clock],
) -> RegistrationOut:
    """Disable the registration: the platform's deliveries are refused (404) from now on. It stays
    listed for the record; the platform can be registered again. Written in your security log."""
    principal = await authenticated(authenticate, "admin")
    disabled = await disable(RegistrationCommand(principal, registration_id, request.remote_addr))
    return registration_out(disabled, clock.now())
