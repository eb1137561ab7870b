from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, insert, not_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import users
from domain.identity.email import EmailAddress
from domain.identity.errors import EmailAlreadyRegistered
from domain.identity.user import User


def _user(row: RowMapping) -> User:
    return User(
        id=row["id"],
        email=EmailAddress(row["email"]),
        display_name=row["display_name"],
        password_hash=row["password_hash"],
        created_at=row["created_at"],
        scopes=frozenset(row["scopes"]),
        email_verified=row["email_verified"],
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
                        email_verified=user.email_verified,
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

    async def add_scope(self, user_id: UUID, scope: str) -> bool:
        result = await self._conn.execute(
            update(users)
            .where(users.c.id == user_id, not_(users.c.scopes.any_() == scope))
            .values(scopes=func.array_append(users.c.scopes, scope))
        )
        return result.rowcount == 1

    async def remove_scope(self, user_id: UUID, scope: str) -> bool:
        result = await self._conn.execute(
            update(users)
            .where(users.c.id == user_id, users.c.scopes.any_() == scope)
            .values(scopes=func.array_remove(users.c.scopes, scope))
        )
        return result.rowcount == 1

    # verified email and password reset
    async def mark_email_verified(self, user_id: UUID, email: EmailAddress) -> bool:
        result = await self._conn.execute(
            update(users).where(users.c.id == user_id, users.c.email == email.value).values(email_verified=True)
        )
        return result.rowcount == 1

    async def set_password_hash(self, user_id: UUID, password_hash: str) -> None:
        await self._conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))
