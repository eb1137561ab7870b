from __future__ import annotations

from datetime import datetime

from attrs import frozen

from application.identity.account_ports import (
    IdentityUnitOfWork,
    IdentityUnitOfWorkFactory,
    PasswordHasher,
    RegistrationLimiter,
)
from application.identity.security_log import record_event
from application.shared.ports import Clock, IdGenerator
from domain.identity.email import EmailAddress
from domain.identity.errors import EmailAlreadyRegistered
from domain.identity.password_policy import PasswordPolicy, normalise_password
from domain.identity.security_event import SecurityEventKind
from domain.identity.user import User, clean_display_name


@frozen
class RegisterAccountCommand:
    email: str
    password: str
    display_name: str | None = None
    client_ip: str | None = None


@frozen
class RegistrationAccepted:
    """The same answer whether the email was new or taken: registration never tells which
    addresses have an account. A new account can sign in at once with its password."""

    email: str


@frozen
class RegisterAccount:
    uow: IdentityUnitOfWorkFactory
    hasher: PasswordHasher
    policy: PasswordPolicy
    limiter: RegistrationLimiter
    clock: Clock
    ids: IdGenerator

    async def __call__(self, command: RegisterAccountCommand) -> RegistrationAccepted:
        # Everything that can refuse the input runs first: it depends only on what was sent.
        email = EmailAddress.parse(command.email)
        self.policy.check(command.password, email)
        display_name = clean_display_name(command.display_name, email)
        await self.limiter.admit(command.client_ip)
        # Both outcomes do the same work: one Argon2id hash, then one read and one insert in one
        # transaction (the new account, or an entry in the existing owner's security log).
        password_hash = await self.hasher.hash(normalise_password(command.password))
        now = self.clock.now()
        async with self.uow() as uow:
            existing = await uow.users.get_by_email(email)
            if existing is None:
                user = User(
                    id=self.ids.new_id(),
                    email=email,
                    display_name=display_name,
                    password_hash=password_hash,
                    created_at=now,
                )
                try:
                    await uow.users.add(user)
                except EmailAlreadyRegistered:  # registered concurrently: answer as for any taken email
                    existing = await uow.users.get_by_email(email)
            if existing is not None:
                await self._tell_the_owner(uow, existing, command.client_ip, now)
            await uow.commit()
        return RegistrationAccepted(email=email.value)

    async def _tell_the_owner(self, uow: IdentityUnitOfWork, owner: User, ip: str | None, now: datetime) -> None:
        """The owner's security log shows that someone tried to register their address; the
        account itself is untouched. TODO(sign-in issue, outgoing mail): once mail exists, also
        send the owner a "you already have an account — sign in or reset your password" message
        from here (through an outbox in this transaction), as GitHub and Stripe do."""
        await record_event(uow, self.ids, owner.id, SecurityEventKind.REGISTRATION_ATTEMPTED, now, ip)
