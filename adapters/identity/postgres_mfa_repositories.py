from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import backup_codes, mfa_challenges, mfa_factors
from application.identity.mfa_ports import MfaChallenge
from domain.identity.mfa import BackupCode, FactorStatus, TotpFactor


def _factor(row: RowMapping) -> TotpFactor:
    return TotpFactor(
        id=row["id"],
        user_id=row["user_id"],
        sealed_secret=bytes(row["sealed_secret"]),
        key_id=row["key_id"],
        status=FactorStatus(row["status"]),
        created_at=row["created_at"],
        confirmed_at=row["confirmed_at"],
        last_used_step=row["last_used_step"],
        consecutive_failures=row["consecutive_failures"],
        locked_until=row["locked_until"],
    )


class PostgresMfaFactorRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, user_id: UUID, status: str) -> TotpFactor | None:
        result = await self._conn.execute(
            select(mfa_factors).where(mfa_factors.c.user_id == user_id, mfa_factors.c.status == status)
        )
        row = result.mappings().first()
        return _factor(row) if row else None

    async def add(self, factor: TotpFactor) -> None:
        await self._conn.execute(
            insert(mfa_factors).values(
                id=factor.id,
                user_id=factor.user_id,
                sealed_secret=factor.sealed_secret,
                key_id=factor.key_id,
                status=factor.status.value,
                created_at=factor.created_at,
                confirmed_at=factor.confirmed_at,
                last_used_step=factor.last_used_step,
                consecutive_failures=factor.consecutive_failures,
                locked_until=factor.locked_until,
            )
        )

    async def delete(self, factor_id: UUID) -> None:
        await self._conn.execute(delete(mfa_factors).where(mfa_factors.c.id == factor_id))

    async def save_state(self, factor: TotpFactor) -> None:
        await self._conn.execute(
            update(mfa_factors)
            .where(mfa_factors.c.id == factor.id)
            .values(
                status=factor.status.value,
                confirmed_at=factor.confirmed_at,
                consecutive_failures=factor.consecutive_failures,
                locked_until=factor.locked_until,
            )
        )

    async def advance_step(self, factor_id: UUID, step: int) -> bool:
        # The row lock serialises concurrent submissions: the losers re-check the condition after
        # the winner commits and match nothing.
        result = await self._conn.execute(
            update(mfa_factors)
            .where(
                mfa_factors.c.id == factor_id,
                or_(mfa_factors.c.last_used_step.is_(None), mfa_factors.c.last_used_step < step),
            )
            .values(last_used_step=step)
        )
        return result.rowcount == 1


class PostgresBackupCodeRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def replace_all(self, user_id: UUID, codes: list[BackupCode]) -> None:
        await self.delete_all(user_id)
        if codes:
            await self._conn.execute(
                insert(backup_codes),
                [
                    {
                        "id": c.id,
                        "user_id": c.user_id,
                        "code_hash": c.code_hash,
                        "created_at": c.created_at,
                        "used_at": c.used_at,
                    }
                    for c in codes
                ],
            )

    async def unused(self, user_id: UUID) -> list[BackupCode]:
        result = await self._conn.execute(
            select(backup_codes).where(backup_codes.c.user_id == user_id, backup_codes.c.used_at.is_(None))
        )
        return [BackupCode(**dict(row)) for row in result.mappings()]

    async def consume(self, code_id: UUID, now: datetime) -> bool:
        result = await self._conn.execute(
            update(backup_codes)
            .where(backup_codes.c.id == code_id, backup_codes.c.used_at.is_(None))
            .values(used_at=now)
        )
        return result.rowcount == 1

    async def delete_all(self, user_id: UUID) -> None:
        await self._conn.execute(delete(backup_codes).where(backup_codes.c.user_id == user_id))


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
