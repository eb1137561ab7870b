from __future__ import annotations

from uuid import UUID

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWorkFactory
from domain.identity.errors import InvalidAccessToken
from domain.identity.user import User, clean_display_name


@frozen
class UpdateProfileCommand:
    user_id: UUID
    display_name: str


@frozen
class UpdateProfile:
    uow: IdentityUnitOfWorkFactory

    async def __call__(self, command: UpdateProfileCommand) -> User:
        async with self.uow() as uow:
            user = await uow.users.get(command.user_id)
            if user is None:
                raise InvalidAccessToken("The account behind this token no longer exists.")
            user.display_name = clean_display_name(command.display_name, user.email)
            await uow.users.update_display_name(user.id, user.display_name)
            await uow.commit()
        return user
