"""Proving an account's email address: a link mailed there (at registration, or sent again on
request), single use, for 24 hours."""

from __future__ import annotations

from attrs import frozen

from application.identity.account_mails import AccountMails
from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.identity.account_tokens import issue_account_token, new_account_token
from application.identity.api_key_ports import ClientRateLimiter
from application.identity.principal import Principal
from application.identity.security_log import record_event
from application.identity.tokens import digest_token
from application.shared.ports import Clock, IdGenerator, SecretGenerator
from domain.identity.account_token import AccountTokenPurpose, InvalidAccountToken
from domain.identity.errors import EmailAlreadyVerified, InvalidAccessToken
from domain.identity.security_event import SecurityEventKind
from domain.shared.errors import TooManyAttempts

_INVALID = "This link is invalid or has expired; ask for a new one."


@frozen
class RequestEmailVerificationCommand:
    principal: Principal


@frozen
class VerificationSent:
    email: str
    expires_in: int


@frozen
class RequestEmailVerification:
    """Send the signed-in account a new verification link; the links sent before stop working."""

    uow: IdentityUnitOfWorkFactory
    mails: AccountMails
    limiter: ClientRateLimiter  # per account
    clock: Clock
    ids: IdGenerator
    secrets: SecretGenerator

    async def __call__(self, command: RequestEmailVerificationCommand) -> VerificationSent:
        token, digest = new_account_token(self.secrets)
        now = self.clock.now()
        async with self.uow() as uow:
            user = await uow.users.get(command.principal.user_id)
            if user is None:
                raise InvalidAccessToken("The account behind this token no longer exists.")
            if user.email_verified:
                raise EmailAlreadyVerified(f"{user.email} is verified already.")
            decision = await self.limiter.hit(str(user.id))
            if not decision.allowed:
                raise TooManyAttempts(
                    "Too many verification mails asked for; check your mailbox, or try again later.",
                    retry_after_seconds=decision.reset_seconds,
                    limiter="email_verification",
                )
            issued = await issue_account_token(uow, self.ids, user, AccountTokenPurpose.VERIFY_EMAIL, digest, now)
            await uow.outgoing_mail.queue(
                self.mails.verification(
                    to=user.email.value, display_name=user.display_name, token=token, lifetime=issued.lifetime
                )
            )
            await uow.commit()
        return VerificationSent(email=user.email.value, expires_in=int(issued.lifetime.total_seconds()))


@frozen
class VerifyEmailCommand:
    token: str
    client_ip: str | None = None


@frozen
class EmailVerified:
    email: str


@frozen
class VerifyEmail:
    """Mark the address the token was sent to verified, once, if it still is the account's."""

    uow: IdentityUnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    async def __call__(self, command: VerifyEmailCommand) -> EmailVerified:
        digest = digest_token(command.token.strip())
        now = self.clock.now()
        async with self.uow() as uow:
            token = await uow.account_tokens.find_for_use(digest, AccountTokenPurpose.VERIFY_EMAIL)
            user = await uow.users.get(token.user_id) if token is not None else None
            if token is None or user is None:
                raise InvalidAccountToken(_INVALID)
            token.use(now, user.email)
            if not await uow.account_tokens.mark_used(token.id, now):
                raise InvalidAccountToken(_INVALID)
            if not await uow.users.mark_email_verified(user.id, token.email):
                raise InvalidAccountToken(_INVALID)
            await uow.account_tokens.invalidate_unused(user.id, AccountTokenPurpose.VERIFY_EMAIL)
            await record_event(uow, self.ids, user.id, SecurityEventKind.EMAIL_VERIFIED, now, command.client_ip)
            await uow.commit()
        return EmailVerified(email=user.email.value)
