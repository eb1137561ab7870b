"""The signed-in person's side of a device sign-in: approving or refusing the code a TV shows."""

from __future__ import annotations

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.identity.device_authorization_ports import DeviceAuthorizationStore, DeviceCodeGuessGuard
from application.identity.principal import Principal
from application.identity.security_log import record_event
from application.shared.ports import Clock, IdGenerator
from domain.identity.device_authorization import DeviceAuthorization, normalise_user_code
from domain.identity.device_errors import InvalidUserCode, UserCodeNoLongerValid
from domain.identity.security_event import SecurityEventKind

_WRONG = "No sign-in is waiting for this code; check the code on the TV."
_USED = "This code was used already; start again on the TV for a new one."


@frozen
class DeviceDecisionCommand:
    principal: Principal
    user_code: str
    client_ip: str | None = None


@frozen
class DeviceDecided:
    client_name: str | None


async def find_by_user_code(
    store: DeviceAuthorizationStore, guard: DeviceCodeGuessGuard, raw: str, ip: str | None
) -> DeviceAuthorization:
    """The authorization behind a typed code. Every code counts as a guess against the address until
    it matches one, and every miss (malformed, unknown, long gone) gets the one same answer."""
    await guard.attempt(ip)
    user_code = normalise_user_code(raw)
    authorization = await store.find_by_user_code(user_code) if user_code is not None else None
    if authorization is None:
        raise InvalidUserCode(_WRONG)
    await guard.matched(ip)
    return authorization


@frozen
class ApproveDevice:
    """Approve a TV's sign-in from a session (never an API key). The approver passed their own
    sign-in, second factor included, on this device: the TV inherits that sign-in's time."""

    store: DeviceAuthorizationStore
    guard: DeviceCodeGuessGuard
    uow: IdentityUnitOfWorkFactory
    ids: IdGenerator
    clock: Clock

    async def __call__(self, command: DeviceDecisionCommand) -> DeviceDecided:
        auth_time = command.principal.require_session()
        authorization = await find_by_user_code(self.store, self.guard, command.user_code, command.client_ip)
        now = self.clock.now()
        approved = authorization.approve(command.principal.user_id, auth_time, now)
        async with self.uow() as uow:
            await record_event(
                uow,
                self.ids,
                command.principal.user_id,
                SecurityEventKind.DEVICE_SIGN_IN_APPROVED,
                now,
                command.client_ip,
                {"client_name": authorization.client_name},
            )
            if not await self.store.settle(approved):
                raise UserCodeNoLongerValid(_USED)
            await uow.commit()
        return DeviceDecided(client_name=authorization.client_name)


@frozen
class DenyDevice:
    """Refuse a TV's sign-in: its next poll hears access_denied."""

    store: DeviceAuthorizationStore
    guard: DeviceCodeGuessGuard
    clock: Clock

    async def __call__(self, command: DeviceDecisionCommand) -> DeviceDecided:
        command.principal.require_session()
        authorization = await find_by_user_code(self.store, self.guard, command.user_code, command.client_ip)
        if not await self.store.settle(authorization.deny(self.clock.now())):
            raise UserCodeNoLongerValid(_USED)
        return DeviceDecided(client_name=authorization.client_name)
