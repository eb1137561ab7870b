from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from application.identity.account_ports import IdentityUnitOfWork, IdentityUnitOfWorkFactory
from domain.identity.email import EmailAddress
from domain.identity.user import User

CREATED_AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
CONTENDERS = 5


def a_user(email: str = "ana@example.com") -> User:
    """A stored account as the repositories see it (the hash is never checked there)."""
    return User(
        id=uuid.uuid4(),
        email=EmailAddress.parse(email),
        display_name="Ana",
        password_hash="$argon2id$fake",
        created_at=CREATED_AT,
    )


async def given(identity_uow: IdentityUnitOfWorkFactory, *users: User) -> None:
    async with identity_uow() as uow:
        for user in users:
            await uow.users.add(user)
        await uow.commit()


async def committed(
    identity_uow: IdentityUnitOfWorkFactory, work: Callable[[IdentityUnitOfWork], Awaitable[object]]
) -> None:
    async with identity_uow() as uow:
        await work(uow)
        await uow.commit()


async def race(
    identity_uow: IdentityUnitOfWorkFactory, attempt: Callable[[IdentityUnitOfWork], Awaitable[bool]]
) -> list[bool]:
    """Run ``attempt`` in CONTENDERS units of work at once, each held open so they really overlap."""

    async def contender() -> bool:
        async with identity_uow() as uow:
            won = await attempt(uow)
            await asyncio.sleep(0.01)
            await uow.commit()
            return won

    return list(await asyncio.gather(*(contender() for _ in range(CONTENDERS))))
