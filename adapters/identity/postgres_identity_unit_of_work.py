from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.identity.postgres_api_key_and_event_repositories import (
    PostgresApiKeyRepository,
    PostgresSecurityEventRepository,
)
from adapters.identity.postgres_mfa_repositories import (
    PostgresBackupCodeRepository,
    PostgresMfaChallengeRepository,
    PostgresMfaFactorRepository,
)
from adapters.postgres.tables import refresh_sessions, users
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from domain.identity.email import EmailAddress
from domain.identity.errors import EmailAlreadyRegistered
from domain.identity.refresh_session import RefreshSession, SealedToken
from domain.identity.user import User


def _user(row: RowMapping) -> User:
    return User(
        id=row["id"],
        email=EmailAddress(row["email"]),
        display_name=row["display_name"],
        password_hash=row["password_hash"],
        created_at=row["created_at"],
        scopes=frozenset(row["scopes"]),
    )


class PostgresUserRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, user: User) -> None:
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(
                    insert(users).values(
                        id=user.id,
                        email=user.email.value,
                        display_name=user.display_name,
                        password_hash=user.password_hash,
                        created_at=user.created_at,
                        scopes=sorted(user.scopes),
                    )
                )
        except IntegrityError as error:
            raise EmailAlreadyRegistered("An account with this email already exists.") from error

    async def get(self, user_id: UUID) -> User | None:
        row = (await self._conn.execute(select(users).where(users.c.id == user_id))).mappings().first()
        return _user(row) if row else None

    async def get_by_email(self, email: EmailAddress) -> User | None:
        result = await self._conn.execute(select(users).where(users.c.email == email.value))
        row = result.mappings().first()
        return _user(row) if row else None

    async def update_display_name(self, user_id: UUID, display_name: str) -> None:
        await self._conn.execute(update(users).where(users.c.id == user_id).values(display_name=display_name))


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


class PostgresIdentityUnitOfWork(PostgresUnitOfWork):
    users: PostgresUserRepository
    refresh_sessions: PostgresRefreshSessionRepository
    mfa_factors: PostgresMfaFactorRepository
    backup_codes: PostgresBackupCodeRepository
    mfa_challenges: PostgresMfaChallengeRepository
    security_events: PostgresSecurityEventRepository
    api_keys: PostgresApiKeyRepository

    def bind(self, conn: AsyncConnection) -> None:
        self.users = PostgresUserRepository(conn)
        self.refresh_sessions = PostgresRefreshSessionRepository(conn)
        self.mfa_factors = PostgresMfaFactorRepository(conn)
        self.backup_codes = PostgresBackupCodeRepository(conn)
        self.mfa_challenges = PostgresMfaChallengeRepository(conn)
        self.security_events = PostgresSecurityEventRepository(conn)
        self.api_keys = PostgresApiKeyRepository(conn)


class PostgresIdentityUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def __call__(self) -> PostgresIdentityUnitOfWork:
        return PostgresIdentityUnitOfWork(self._engine)
