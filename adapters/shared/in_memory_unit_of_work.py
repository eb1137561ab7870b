from __future__ import annotations

import asyncio
import copy
from types import TracebackType
from typing import Generic, Self, TypeVar

S = TypeVar("S")


class InMemoryStore(Generic[S]):
    """The committed state of an in-memory adapter, and the lock its units of work share."""

    def __init__(self, state: S) -> None:
        self.state = state
        self.lock = asyncio.Lock()


class InMemoryUnitOfWork(Generic[S]):
    """Works on a copy of the store's state and publishes it on commit.

    Units run one at a time (a lock held from enter to exit), which is the serialisable
    isolation the Postgres adapters get from row locks and compare-and-sets. Subclasses
    attach their repositories to the working copy in ``bind``.
    """

    def __init__(self, store: InMemoryStore[S]) -> None:
        self._store = store
        self._working = store.state

    def bind(self, working: S) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self._store.lock.acquire()
        self._working = copy.deepcopy(self._store.state)
        self.bind(self._working)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._store.lock.release()

    async def commit(self) -> None:
        self._store.state = copy.deepcopy(self._working)
