"""Signing in on a TV with a code (RFC 8628): the TV starts and polls, the signed-in person approves
or refuses from their phone."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from quart import request
from quart_schema import tag, validate_request, validate_response

from application.identity.approve_device import ApproveDevice, DenyDevice, DeviceDecisionCommand
from application.identity.authenticate import Authenticate
from application.identity.poll_device_token import PollDeviceToken, PollDeviceTokenCommand
from application.identity.start_device_authorization import (
    StartDeviceAuthorization,
    StartDeviceAuthorizationCommand,
)
from entrypoints.container import Container
from entrypoints.http.authentication import authenticated
from entrypoints.http.identity import device_problems  # noqa: F401  (its problem types, which the routes declare)
from entrypoints.http.identity.account_schemas import TokenPairOut
from entrypoints.http.identity.blueprint import identity
from entrypoints.http.identity.device_schemas import (
    DeviceAuthorizationIn,
    DeviceAuthorizationOut,
    DeviceDecisionOut,
    DeviceTokenIn,
    UserCodeIn,
)
from entrypoints.http.openapi_declarations import problems, signed_in

NO_STORE = {"Cache-Control": "no-store"}


@identity.post("/api/v1/auth/device")
@tag(["identity"])
@problems("invalid-input", "too-many-attempts")
@validate_request(DeviceAuthorizationIn)
@validate_response(DeviceAuthorizationOut, 200)
@inject
async def start(
    data: DeviceAuthorizationIn,
    start_device_authorization: StartDeviceAuthorization = Provide[Container.identity.start_device_authorization],
) -> tuple[DeviceAuthorizationOut, int, dict[str, str]]:
    """A TV starts signing in (RFC 8628 §3.1–3.2): it shows `user_code` (and `verification_uri`)
    to its viewer, keeps `device_code` to itself, and polls `/api/v1/auth/device/token` every
    `interval` seconds until the code is approved or `expires_in` runs out. `client_name` is how
    the TV appears in the account's sessions list. 429 + `Retry-After` past the sign-ins one
    address may start in 15 minutes."""
    started = await start_device_authorization(
        StartDeviceAuthorizationCommand(client_name=data.client_name, client_ip=request.remote_addr)
    )
    body = DeviceAuthorizationOut(
        device_code=started.device_code,
        user_code=started.user_code,
        verification_uri=started.verification_uri,
        verification_uri_complete=started.verification_uri_complete,
        expires_in=started.expires_in,
        interval=started.interval,
    )
    return body, 200, NO_STORE


@identity.post("/api/v1/auth/device/approve")
@tag(["identity"])
@signed_in("write")
@problems("invalid-user-code", "user-code-no-longer-valid")
@validate_request(UserCodeIn)
@validate_response(DeviceDecisionOut, 200)
@inject
async def approve(
    data: UserCodeIn,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    approve_device: ApproveDevice = Provide[Container.identity.approve_device],
) -> DeviceDecisionOut:
    """Approve the code a TV shows (any case, with or without the dash): its next poll gets its own
    session, listed in `/api/v1/me/sessions`. Needs a signed-in session, not an API key. A wrong
    code is a 400 whatever codes exist, and wrong codes from one address are limited (429)."""
    principal = await authenticated(authenticate, "write")
    decided = await approve_device(
        DeviceDecisionCommand(principal=principal, user_code=data.user_code, client_ip=request.remote_addr)
    )
    return DeviceDecisionOut(client_name=decided.client_name)


@identity.post("/api/v1/auth/device/deny")
@tag(["identity"])
@signed_in("write")
@problems("invalid-user-code", "user-code-no-longer-valid")
@validate_request(UserCodeIn)
@validate_response(DeviceDecisionOut, 200)
@inject
async def deny(
    data: UserCodeIn,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    deny_device: DenyDevice = Provide[Container.identity.deny_device],
) -> DeviceDecisionOut:
    """Refuse the code a TV shows: its next poll hears `access_denied`."""
    principal = await authenticated(authenticate, "write")
    decided = await deny_device(
        DeviceDecisionCommand(principal=principal, user_code=data.user_code, client_ip=request.remote_addr)
    )
    return DeviceDecisionOut(client_name=decided.client_name)


@identity.post("/api/v1/auth/device/token")
@tag(["identity"])
@problems(
    "device-authorization-pending",
    "device-slow-down",
    "device-access-denied",
    "device-code-expired",
    "invalid-device-code",
)
@validate_request(DeviceTokenIn)
@validate_response(TokenPairOut, 200)
@inject
async def token(
    data: DeviceTokenIn,
    poll_device_token: PollDeviceToken = Provide[Container.identity.poll_device_token],
) -> tuple[TokenPairOut, int, dict[str, str]]:
    """The TV's poll (RFC 8628 §3.4): the token pair once, after approval. Until then a 400
    problem whose `error` member is RFC 8628's: `authorization_pending`, `slow_down` (polling
    faster than `interval`; the interval grows by 5 seconds, given in `interval`),
    `access_denied`, `expired_token`, or `invalid_grant` (unknown, or its tokens already given)."""
    pair = await poll_device_token(PollDeviceTokenCommand(device_code=data.device_code))
    body = TokenPairOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        token_type=pair.token_type,
        expires_in=pair.expires_in,
        refresh_expires_in=pair.refresh_expires_in,
    )
    return body, 200, NO_STORE
