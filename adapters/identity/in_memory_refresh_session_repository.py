from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from adapters.identity.in_memory_identity_state import IdentityState
from domain.identity.refresh_session import ActiveSession, RefreshSession, SealedToken


class InMemoryRefreshSessionRepository:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    async def add(self, session: RefreshSession) -> None:
        self._state.sessions[session.id] = session

    async def get_by_digest(self, token_digest: str) -> RefreshSession | None:
        return next((s for s in self._state.sessions.values() if s.token_digest == token_digest), None)

    async def mark_rotated(self, session_id: UUID, now: datetime, successor: SealedToken | None = None) -> bool:
        session = self._state.sessions.get(session_id)
        if session is None or session.was_rotated or session.is_revoked:
            return False
        self._state.sessions[session_id] = attrs.evolve(session, rotated_at=now, sealed_successor=successor)
        return True

    async def revoke_family(self, family_id: UUID, now: datetime) -> None:
        for key, session in list(self._state.sessions.items()):
            if session.family_id == family_id and not session.is_revoked:
                self._state.sessions[key] = attrs.evolve(session, revoked_at=now, sealed_successor=None)

    async def wipe_successors(self, rotated_before: datetime) -> int:
        wiped = 0
        for key, session in list(self._state.sessions.items()):
            if session.sealed_successor is not None and session.rotated_at and session.rotated_at <= rotated_before:
                self._state.sessions[key] = attrs.evolve(session, sealed_successor=None)
                wiped += 1
        return wiped

    async def delete_expired(self, before: datetime) -> int:
        expired = [k for k, s in self._state.sessions.items() if s.expires_at < before]
        for key in expired:
            del self._state.sessions[key]
        return len(expired)

    # sessions list (TV sign-in)
    async def list_active(self, user_id: UUID, now: datetime) -> list[ActiveSession]:
        live = [
            s for s in self._state.sessions.values() if s.user_id == user_id and s.is_live and not s.is_expired(now)
        ]
        return [
            ActiveSession(
                family_id=s.family_id, client_name=s.client_name, signed_in_at=s.auth_time, last_used_at=s.issued_at
            )
            for s in sorted(live, key=lambda s: s.issued_at, reverse=True)
        ]

    # verified email and password reset
    async def revoke_all_for_user(self, user_id: UUID, now: datetime) -> list[UUID]:
        families: set[UUID] = set()
        for key, session in list(self._state.sessions.items()):
            if session.user_id == user_id and not session.is_revoked:
                self._state.sessions[key] = attrs.evolve(session, revoked_at=now, sealed_successor=None)
                families.add(session.family_id)
        return sorted(families)
