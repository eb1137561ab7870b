from __future__ import annotations

from uuid import UUID

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWorkFactory
from domain.identity.errors import InvalidAccessToken
from domain.identity.user import User


@frozen
class GetProfile:
    uow: IdentityUnitOfWorkFactory

    async def __call__(self, user_id: UUID) -> User:
        async with self.uow() as uow:
            user = await uow.users.get(user_id)
        if user is None:
            raise InvalidAccessToken("The account behind this token no longer exists.")
        return user
