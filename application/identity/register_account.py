from __future__ import annotations

from uuid import UUID

from attrs import frozen

from application.identity.ports import IdentityUnitOfWorkFactory, PasswordHasher
from application.shared.ports import Clock, IdGenerator
from domain.identity.email import EmailAddress
from domain.identity.errors import EmailAlreadyRegistered
from domain.identity.password_policy import PasswordPolicy, normalise_password
from domain.identity.user import User, clean_display_name


@frozen
class RegisterAccountCommand:
    email: str
    password: str
    display_name: str | None = None


@frozen
class RegisteredAccount:
    user_id: UUID
    email: str


@frozen
class RegisterAccount:
    uow: IdentityUnitOfWorkFactory
    hasher: PasswordHasher
    policy: PasswordPolicy
    clock: Clock
    ids: IdGenerator

    async def __call__(self, command: RegisterAccountCommand) -> RegisteredAccount:
        email = EmailAddress.parse(command.email)
        self.policy.check(command.password, email)
        display_name = clean_display_name(command.display_name, email)
        async with self.uow() as uow:
            if await uow.users.get_by_email(email) is not None:
                raise EmailAlreadyRegistered("An account with this email already exists.")
        password_hash = await self.hasher.hash(normalise_password(command.password))
        user = User(
            id=self.ids.new_id(),
            email=email,
            display_name=display_name,
            password_hash=password_hash,
            created_at=self.clock.now(),
        )
        async with self.uow() as uow:
            await uow.users.add(user)
            await uow.commit()
        return RegisteredAccount(user_id=user.id, email=email.value)
