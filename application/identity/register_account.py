from __future__ import annotations

from datetime import datetime

from attrs import frozen

from application.identity.account_mails import AccountMails
from application.identity.account_ports import (
    IdentityUnitOfWork,
    IdentityUnitOfWorkFactory,
    PasswordHasher,
    RegistrationLimiter,
)
from application.identity.account_tokens import new_account_token
from application.identity.security_log import record_event
from application.shared.ports import Clock, IdGenerator, SecretGenerator
from domain.identity.account_token import AccountToken, AccountTokenPurpose
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
    addresses have an account. A new account can sign in at once with its password, and is mailed
    a link to verify its address; the owner of a taken one is mailed that they have an account."""

    email: str


@frozen
class RegisterAccount:
    uow: IdentityUnitOfWorkFactory
    hasher: PasswordHasher
    policy: PasswordPolicy
    limiter: RegistrationLimiter
    clock: Clock
    ids: IdGenerator
    mails: AccountMails
    secrets: SecretGenerator

    async def __call__(self, command: RegisterAccountCommand) -> RegistrationAccepted:
        # Everything that can refuse the input runs first: it depends only on what was sent.
        email = EmailAddress.parse(command.email)
        self.policy.check(command.password, email)
        display_name = clean_display_name(command.display_name, email)
        await self.limiter.admit(command.client_ip)
        # Both outcomes do the same work: one Argon2id hash and one token drawn, then one read and
        # one mail queued in one transaction (the new account and its verification link, or an
        # entry in the existing owner's security log and a note to them).
        password_hash = await self.hasher.hash(normalise_password(command.password))
        token, digest = new_account_token(self.secrets)
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
                else:
                    await self._ask_to_verify(uow, user, token, digest, now)
            if existing is not None:
                await self._tell_the_owner(uow, existing, command.client_ip, now)
            await uow.commit()
        return RegistrationAccepted(email=email.value)

    async def _ask_to_verify(self, uow: IdentityUnitOfWork, user: User, token: str, digest: str, now: datetime) -> None:
        # A new account has no older link to invalidate: one insert, not issue_account_token's two statements.
        issued = AccountToken.issue(
            id=self.ids.new_id(),
            user_id=user.id,
            purpose=AccountTokenPurpose.VERIFY_EMAIL,
            digest=digest,
            email=user.email,
            now=now,
        )
        await uow.account_tokens.add(issued)
        await uow.outgoing_mail.queue(
            self.mails.verification(
                to=user.email.value, display_name=user.display_name, token=token, lifetime=issued.lifetime
            )
        )

    async def _tell_the_owner(self, uow: IdentityUnitOfWork, owner: User, ip: str | None, now: datetime) -> None:
        """The owner's security log shows that someone tried to register their address, and they
        are mailed "you already have an account — sign in or reset your password" (as GitHub and
        Stripe do); the account itself is untouched."""
        await record_event(uow, self.ids, owner.id, SecurityEventKind.REGISTRATION_ATTEMPTED, now, ip)
        await uow.outgoing_mail.queue(
            self.mails.already_registered(to=owner.email.value, display_name=owner.display_name)
        )
