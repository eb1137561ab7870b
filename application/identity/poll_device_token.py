from __future__ import annotations

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.identity.device_authorization_ports import DeviceAuthorizationStore
from application.identity.tokens import SessionIssuer, TokenPair, digest_token
from application.shared.ports import Clock, IdGenerator
from domain.identity.device_authorization import PollAnswer
from domain.identity.device_errors import (
    AuthorizationPending,
    DeviceAccessDenied,
    DeviceCodeExpired,
    InvalidDeviceCode,
    SlowDown,
)

_UNKNOWN = "The device code is unknown or was used already; start again."


@frozen
class PollDeviceTokenCommand:
    device_code: str


@frozen
class PollDeviceToken:
    """The TV's poll (RFC 8628 §3.4–3.5): the token pair once the code is approved, exactly once,
    in a refresh family of its own named after the TV; every other answer is an RFC 8628 error."""

    store: DeviceAuthorizationStore
    uow: IdentityUnitOfWorkFactory
    sessions: SessionIssuer
    ids: IdGenerator
    clock: Clock

    async def __call__(self, command: PollDeviceTokenCommand) -> TokenPair:
        digest = digest_token(command.device_code)
        authorization = await self.store.get(digest)
        if authorization is None:
            raise InvalidDeviceCode(_UNKNOWN)
        now = self.clock.now()
        poll = authorization.poll(now)
        polled = poll.authorization
        match poll.answer:
            case PollAnswer.PENDING:
                await self.store.record_poll(polled)
                raise AuthorizationPending("The code has not been approved yet; keep polling.")
            case PollAnswer.SLOW_DOWN:
                await self.store.record_poll(polled)
                raise SlowDown(
                    f"Polling too fast; wait {polled.interval_seconds} seconds between polls.",
                    interval=polled.interval_seconds,
                )
            case PollAnswer.DENIED:
                raise DeviceAccessDenied("The sign-in was refused.")
            case PollAnswer.EXPIRED:
                raise DeviceCodeExpired("The device code has expired; start again.")
            case PollAnswer.USED:
                raise InvalidDeviceCode(_UNKNOWN)
        approval = polled.approval
        assert approval is not None
        async with self.uow() as uow:
            user = await uow.users.get(approval.user_id)
            if user is None:
                raise InvalidDeviceCode(_UNKNOWN)
            pair = await self.sessions.issue(
                uow,
                user_id=user.id,
                scopes=user.scopes,
                family_id=self.ids.new_id(),
                auth_time=approval.auth_time,
                now=now,
                client_name=polled.client_name,
            )
            # Two polls at once both get here; only the one that consumes commits its session.
            if not await self.store.consume(digest):
                raise InvalidDeviceCode(_UNKNOWN)
            await uow.commit()
        return pair
