from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import refresh_sessions
from domain.identity.refresh_session import ActiveSession, RefreshSession, SealedToken


def _session(row: RowMapping) -> RefreshSession:
    sealed = (
        SealedToken(key_id=row["successor_key_id"], ciphertext=bytes(row["sealed_successor"]))
        if row["sealed_successor"] is not None
        else None
    )
    return RefreshSession(
        id=row["id"],
        family_id=row["family_id"],
        user_id=row["user_id"],
        token_digest=row["token_digest"],
        issued_at=row["issued_at"],
        expires_at=row["expires_at"],
        auth_time=row["auth_time"],
        rotated_at=row["rotated_at"],
        revoked_at=row["revoked_at"],
        sealed_successor=sealed,
        client_name=row["client_name"],
    )


class PostgresRefreshSessionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, session: RefreshSession) -> None:
        sealed = session.sealed_successor
        await self._conn.execute(
            insert(refresh_sessions).values(
                id=session.id,
                family_id=session.family_id,
                user_id=session.user_id,
                token_digest=session.token_digest,
                issued_at=session.issued_at,
                expires_at=session.expires_at,
                auth_time=session.auth_time,
                rotated_at=session.rotated_at,
                revoked_at=session.revoked_at,
                successor_key_id=sealed.key_id if sealed else None,
                sealed_successor=sealed.ciphertext if sealed else None,
                client_name=session.client_name,
            )
        )

    async def get_by_digest(self, token_digest: str) -> RefreshSession | None:
        result = await self._conn.execute(
            select(refresh_sessions).where(refresh_sessions.c.token_digest == token_digest)
        )
        row = result.mappings().first()
        return _session(row) if row else None

    async def mark_rotated(self, session_id: UUID, now: datetime, successor: SealedToken | None = None) -> bool:
        # The row lock taken by this UPDATE serialises concurrent refreshes of one token:
        # the loser re-reads the row after the winner commits and matches nothing.
        result = await self._conn.execute(
            update(refresh_sessions)
            .where(
                refresh_sessions.c.id == session_id,
                refresh_sessions.c.rotated_at.is_(None),
                refresh_sessions.c.revoked_at.is_(None),
            )
            .values(
                rotated_at=now,
                successor_key_id=successor.key_id if successor else None,
                sealed_successor=successor.ciphertext if successor else None,
            )
        )
        return result.rowcount == 1

    async def revoke_family(self, family_id: UUID, now: datetime) -> None:
        await self._conn.execute(
            update(refresh_sessions)
            .where(refresh_sessions.c.family_id == family_id, refresh_sessions.c.revoked_at.is_(None))
            .values(revoked_at=now, successor_key_id=None, sealed_successor=None)
        )

    async def wipe_successors(self, rotated_before: datetime) -> int:
        result = await self._conn.execute(
            update(refresh_sessions)
            .where(refresh_sessions.c.sealed_successor.is_not(None), refresh_sessions.c.rotated_at <= rotated_before)
            .values(successor_key_id=None, sealed_successor=None)
        )
        return int(result.rowcount)

    async def delete_expired(self, before: datetime) -> int:
        result = await self._conn.execute(delete(refresh_sessions).where(refresh_sessions.c.expires_at < before))
        return int(result.rowcount)

    # sessions list (TV sign-in)
    async def list_active(self, user_id: UUID, now: datetime) -> list[ActiveSession]:
        # A family's live token is its one row neither rotated nor revoked.
        result = await self._conn.execute(
            select(
                refresh_sessions.c.family_id,
                refresh_sessions.c.client_name,
                refresh_sessions.c.auth_time,
                refresh_sessions.c.issued_at,
            )
            .where(
                refresh_sessions.c.user_id == user_id,
                refresh_sessions.c.rotated_at.is_(None),
                refresh_sessions.c.revoked_at.is_(None),
                refresh_sessions.c.expires_at > now,
            )
            .order_by(refresh_sessions.c.issued_at.desc(), refresh_sessions.c.family_id)
        )
        return [
            ActiveSession(
                family_id=row.family_id,
                client_name=row.client_name,
                signed_in_at=row.auth_time,
                last_used_at=row.issued_at,
            )
            for row in result
        ]

    # verified email and password reset
    async def revoke_all_for_user(self, user_id: UUID, now: datetime) -> list[UUID]:
        result = await self._conn.execute(
            update(refresh_sessions)
            .where(refresh_sessions.c.user_id == user_id, refresh_sessions.c.revoked_at.is_(None))
            .values(revoked_at=now, successor_key_id=None, sealed_successor=None)
            .returning(refresh_sessions.c.family_id)
        )
        return sorted(set(result.scalars()))
