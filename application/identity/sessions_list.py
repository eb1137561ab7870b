"""The account's signed-in sessions (one per refresh family: a phone, a browser, a TV), listed and
signed out one by one."""

from __future__ import annotations

from uuid import UUID

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWorkFactory, RevokedSessions
from application.identity.principal import Principal
from application.identity.security_log import record_event
from application.shared.ports import Clock, IdGenerator
from domain.identity.errors import SessionNotFound
from domain.identity.refresh_session import ActiveSession
from domain.identity.security_event import SecurityEventKind


@frozen
class ListedSession:
    session: ActiveSession
    current: bool  # the family of the access token asking


@frozen
class ListSessions:
    uow: IdentityUnitOfWorkFactory
    clock: Clock

    async def __call__(self, principal: Principal) -> list[ListedSession]:
        principal.require_session()
        async with self.uow() as uow:
            active = await uow.refresh_sessions.list_active(principal.user_id, self.clock.now())
        return [ListedSession(session, session.family_id == principal.session_family) for session in active]


@frozen
class RevokeSessionCommand:
    principal: Principal
    family_id: UUID
    ip: str | None = None


@frozen
class RevokeSession:
    """Sign one session out, as logging out there would: its refresh tokens are revoked and its
    access tokens refused at once, in every process. The owner's security log records it, so a
    session signed out by someone holding the account shows there."""

    uow: IdentityUnitOfWorkFactory
    clock: Clock
    revoked_sessions: RevokedSessions
    ids: IdGenerator

    async def __call__(self, command: RevokeSessionCommand) -> None:
        command.principal.require_session()
        now = self.clock.now()
        user_id = command.principal.user_id
        async with self.uow() as uow:
            active = await uow.refresh_sessions.list_active(user_id, now)
            session = next((session for session in active if session.family_id == command.family_id), None)
            if session is None:
                raise SessionNotFound("No active session of yours has this id.")
            await uow.refresh_sessions.revoke_family(command.family_id, now)
            details = {"family_id": str(session.family_id), "client_name": session.client_name}
            await record_event(uow, self.ids, user_id, SecurityEventKind.SESSION_REVOKED, now, command.ip, details)
            await self.revoked_sessions.revoke(command.family_id)
            await uow.commit()
