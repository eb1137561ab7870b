from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction


class PostgresUnitOfWork:
    """One connection and one transaction, rolled back unless ``commit`` was called.

    Subclasses attach their repositories to the connection in ``bind``.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self._transaction: AsyncTransaction | None = None

    def bind(self, conn: AsyncConnection) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        self._conn = await self._engine.connect()
        self._transaction = await self._conn.begin()
        self.bind(self._conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None and self._transaction is not None
        try:
            if self._transaction.is_active:
                await self._transaction.rollback()
        finally:
            await self._conn.close()

    async def commit(self) -> None:
        assert self._transaction is not None
        await self._transaction.commit()
