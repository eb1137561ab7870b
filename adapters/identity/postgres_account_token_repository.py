from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import account_tokens
from domain.identity.account_token import AccountToken, AccountTokenPurpose
from domain.identity.email import EmailAddress


def _token(row: RowMapping) -> AccountToken:
    return AccountToken(
        id=row["id"],
        user_id=row["user_id"],
        purpose=AccountTokenPurpose(row["purpose"]),
        digest=row["digest"],
        email=EmailAddress(row["email"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
    )


class PostgresAccountTokenRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, token: AccountToken) -> None:
        await self._conn.execute(
            insert(account_tokens).values(
                id=token.id,
                user_id=token.user_id,
                purpose=token.purpose.value,
                digest=token.digest,
                email=token.email.value,
                created_at=token.created_at,
                expires_at=token.expires_at,
                used_at=token.used_at,
            )
        )

    async def find_for_use(self, digest: str, purpose: AccountTokenPurpose) -> AccountToken | None:
        result = await self._conn.execute(
            select(account_tokens)
            .where(account_tokens.c.digest == digest, account_tokens.c.purpose == purpose.value)
            .with_for_update()
        )
        row = result.mappings().first()
        return _token(row) if row else None

    async def mark_used(self, token_id: UUID, now: datetime) -> bool:
        result = await self._conn.execute(
            update(account_tokens)
            .where(
                account_tokens.c.id == token_id,
                account_tokens.c.used_at.is_(None),
                account_tokens.c.expires_at > now,
            )
            .values(used_at=now)
        )
        return result.rowcount == 1

    async def invalidate_unused(self, user_id: UUID, purpose: AccountTokenPurpose) -> int:
        result = await self._conn.execute(
            delete(account_tokens).where(
                account_tokens.c.user_id == user_id,
                account_tokens.c.purpose == purpose.value,
                account_tokens.c.used_at.is_(None),
            )
        )
        return int(result.rowcount)

    async def delete_expired(self, before: datetime) -> int:
        result = await self._conn.execute(delete(account_tokens).where(account_tokens.c.expires_at < before))
        return int(result.rowcount)
