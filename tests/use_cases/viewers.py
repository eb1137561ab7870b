"""Viewers for use-case tests: signed up, signed in and enrolled through the use cases themselves."""

from __future__ import annotations

import attrs

from application.identity.authenticate import Authenticated
from application.identity.complete_mfa_challenge import CompleteMfaChallengeCommand, MfaSignIn
from application.identity.confirm_mfa import ConfirmMfaCommand
from application.identity.enroll_mfa import EnrollMfaCommand, PendingEnrollment
from application.identity.log_in import LogInCommand, MfaRequired
from application.identity.principal import Principal
from application.identity.register_account import RegisterAccountCommand
from application.identity.tokens import TokenPair
from tests.support.accounts import PASSWORD, Authenticator
from tests.support.apps import FakeWorld


@attrs.frozen
class Viewer:
    email: str
    tokens: TokenPair
    principal: Principal


async def sign_in(world: FakeWorld, email: str = "ana@example.com", ip: str | None = None) -> Viewer:
    signed_in = await world.container.identity.log_in()(LogInCommand(email=email, password=PASSWORD, client_ip=ip))
    assert isinstance(signed_in, TokenPair)
    return Viewer(email, signed_in, (await authenticate(world, signed_in.access_token)).principal)


async def sign_up(world: FakeWorld, email: str = "ana@example.com", ip: str | None = None) -> Viewer:
    register = world.container.identity.register_account()
    await register(RegisterAccountCommand(email=email, password=PASSWORD, client_ip=ip))
    return await sign_in(world, email, ip)


async def authenticate(world: FakeWorld, access_token: str) -> Authenticated:
    return await world.container.identity.authenticate()(f"Bearer {access_token}")


async def start_two_factor(world: FakeWorld, viewer: Viewer) -> PendingEnrollment:
    return await world.container.identity.enroll_mfa()(EnrollMfaCommand(viewer.principal, PASSWORD))


async def turn_on_two_factor(world: FakeWorld, viewer: Viewer) -> tuple[Authenticator, list[str]]:
    """The viewer's phone, and the backup codes shown once."""
    phone = Authenticator((await start_two_factor(world, viewer)).secret, world.clock)
    backup_codes = await world.container.identity.confirm_mfa()(ConfirmMfaCommand(viewer.principal, phone.code()))
    return phone, backup_codes


async def password_step(world: FakeWorld, email: str = "ana@example.com") -> MfaRequired:
    answer = await world.container.identity.log_in()(LogInCommand(email=email, password=PASSWORD))
    assert isinstance(answer, MfaRequired)
    return answer


async def mfa_token(world: FakeWorld, email: str = "ana@example.com") -> str:
    return (await password_step(world, email)).mfa_token


async def challenge(world: FakeWorld, token: str, code: str) -> MfaSignIn:
    return await world.container.identity.complete_mfa_challenge()(CompleteMfaChallengeCommand(token, code))


async def security_log(world: FakeWorld, viewer: Viewer) -> list[str]:
    """The kinds of the viewer's security events, newest first."""
    page = await world.container.identity.list_security_events()(viewer.principal, 1, 100)
    return [event.kind.value for event in page.items]
