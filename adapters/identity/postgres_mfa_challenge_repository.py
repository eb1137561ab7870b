from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import mfa_challenges
from application.identity.mfa_ports import MfaChallenge


class PostgresMfaChallengeRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, challenge: MfaChallenge) -> None:
        await self._conn.execute(
            insert(mfa_challenges).values(
                token_digest=challenge.token_digest,
                user_id=challenge.user_id,
                created_at=challenge.created_at,
                expires_at=challenge.expires_at,
                consumed_at=challenge.consumed_at,
            )
        )

    async def get_live(self, token_digest: str, now: datetime) -> MfaChallenge | None:
        result = await self._conn.execute(
            select(mfa_challenges).where(
                mfa_challenges.c.token_digest == token_digest,
                mfa_challenges.c.consumed_at.is_(None),
                mfa_challenges.c.expires_at > now,
            )
        )
        row = result.mappings().first()
        return MfaChallenge(**dict(row)) if row else None

    async def consume(self, token_digest: str, now: datetime) -> bool:
        result = await self._conn.execute(
            update(mfa_challenges)
            .where(
                mfa_challenges.c.token_digest == token_digest,
                mfa_challenges.c.consumed_at.is_(None),
                mfa_challenges.c.expires_at > now,
            )
            .values(consumed_at=now)
        )
        return result.rowcount == 1
