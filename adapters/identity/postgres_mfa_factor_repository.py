from __future__ import annotations

from uuid import UUID

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import mfa_factors
from domain.identity.mfa import FactorStatus, TotpFactor


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
