"""The account's signed-in sessions (a phone, a browser, a TV): listed, and signed out one by one."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from quart import request
from quart_schema import tag, validate_response

from application.identity.authenticate import Authenticate
from application.identity.sessions_list import ListedSession, ListSessions, RevokeSession, RevokeSessionCommand
from domain.identity.errors import SessionNotFound
from entrypoints.container import Container
from entrypoints.http.authentication import authenticated
from entrypoints.http.identity import device_problems  # noqa: F401  (its problem types, which the routes declare)
from entrypoints.http.identity.blueprint import identity
from entrypoints.http.identity.session_schemas import SessionListOut, SessionOut
from entrypoints.http.openapi_declarations import problems, responds, signed_in
from entrypoints.http.uuid_parameters import parse_uuid


def _out(listed: ListedSession) -> SessionOut:
    session = listed.session
    return SessionOut(
        id=str(session.family_id),
        client_name=session.client_name,
        signed_in_at=session.signed_in_at.isoformat(),
        last_used_at=session.last_used_at.isoformat(),
        current=listed.current,
    )


@identity.get("/api/v1/me/sessions")
@tag(["identity"])
@signed_in("read")
@validate_response(SessionListOut, 200)
@inject
async def list_sessions(
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    list_sessions: ListSessions = Provide[Container.identity.list_sessions],
) -> SessionListOut:
    """Where the account is signed in: one entry per session (a sign-in and its refreshes), most
    recently used first; `current` marks the one asking. Needs a signed-in session, not an API key."""
    principal = await authenticated(authenticate, "read")
    return SessionListOut(items=[_out(listed) for listed in await list_sessions(principal)])


@identity.delete("/api/v1/me/sessions/<family_id>")
@tag(["identity"])
@signed_in("write")
@problems("session-not-found")
@responds(204, description="Signed out")
@inject
async def revoke_session(
    family_id: str,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    revoke_session: RevokeSession = Provide[Container.identity.revoke_session],
) -> tuple[str, int]:
    """Sign a session out (the TV left at a friend's): its refresh token stops working and its
    access tokens are refused at once, in every process. Your own current session works too."""
    principal = await authenticated(authenticate, "write")
    family = parse_uuid(family_id, lambda: SessionNotFound(f"No active session of yours has id {family_id!r}."))
    await revoke_session(RevokeSessionCommand(principal=principal, family_id=family, ip=request.remote_addr))
    return "", 204
