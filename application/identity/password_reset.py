"""A forgotten password: a reset link mailed to the account's address (1 hour, single use), and
choosing a new password with it, which signs the account out everywhere."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from application.identity.account_mails import AccountMails
from application.identity.account_ports import (
    IdentityUnitOfWork,
    IdentityUnitOfWorkFactory,
    LoginThrottle,
    PasswordHasher,
    RevokedSessions,
)
from application.identity.account_tokens import issue_account_token, new_account_token
from application.identity.api_key_ports import ClientRateLimiter
from application.identity.log_in import account_key
from application.identity.security_log import record_event
from application.identity.tokens import digest_token
from application.shared.ports import Clock, IdGenerator, SecretGenerator
from domain.identity.account_token import AccountToken, AccountTokenPurpose, InvalidAccountToken
from domain.identity.email import EmailAddress
from domain.identity.external_identity import untrusted_once_the_mailbox_is_proven
from domain.identity.password_policy import PasswordPolicy, WeakPassword, normalise_password
from domain.identity.security_event import SecurityEventKind
from domain.identity.user import User
from domain.shared.errors import TooManyAttempts

_INVALID = "This link is invalid or has expired; ask for a new one."


@frozen
class RequestPasswordResetCommand:
    email: str
    client_ip: str | None = None


@frozen
class RequestPasswordReset:
    """Mail a reset link if the address has an account. The answer, and the work done before the
    one lookup, are the same whether it has one or not, so nobody learns which addresses do."""

    uow: IdentityUnitOfWorkFactory
    mails: AccountMails
    ip_limiter: ClientRateLimiter
    address_limiter: ClientRateLimiter
    clock: Clock
    ids: IdGenerator
    secrets: SecretGenerator

    async def __call__(self, command: RequestPasswordResetCommand) -> None:
        email = EmailAddress.parse(command.email)  # refuses only the input, never an account
        decision = await self.ip_limiter.hit(command.client_ip or "unknown")
        if not decision.allowed:
            raise TooManyAttempts(
                "Too many password resets asked for from this address; try again later.",
                retry_after_seconds=decision.reset_seconds,
                limiter="password_reset",
            )
        # Over the address's limit nothing is sent, and nothing says so: a 429 here would tell
        # which addresses someone has been asking about. The mailbox is spared the flood either way.
        within_limit = (await self.address_limiter.hit(account_key(email.value))).allowed
        token, digest = new_account_token(self.secrets)  # drawn and digested for every request alike
        now = self.clock.now()
        async with self.uow() as uow:
            user = await uow.users.get_by_email(email)
            if user is None or not within_limit:
                return
            issued = await issue_account_token(uow, self.ids, user, AccountTokenPurpose.RESET_PASSWORD, digest, now)
            await uow.outgoing_mail.queue(
                self.mails.password_reset(
                    to=user.email.value, display_name=user.display_name, token=token, lifetime=issued.lifetime
                )
            )
            await record_event(
                uow, self.ids, user.id, SecurityEventKind.PASSWORD_RESET_REQUESTED, now, command.client_ip
            )
            await uow.commit()


@frozen
class ResetPasswordCommand:
    token: str
    new_password: str
    client_ip: str | None = None


@frozen
class ResetPassword:
    """Set a new password with a reset token. Every session of the account ends (its access tokens
    too, at once), its failed sign-ins are forgotten, and, since the link came through the mailbox,
    the address counts as verified. An account without a password (signed up through a provider)
    gets one this way. A second factor, when on, is still asked at the next sign-in."""

    uow: IdentityUnitOfWorkFactory
    hasher: PasswordHasher
    policy: PasswordPolicy
    throttle: LoginThrottle
    revoked_sessions: RevokedSessions
    clock: Clock
    ids: IdGenerator

    async def __call__(self, command: ResetPasswordCommand) -> None:
        digest = digest_token(command.token.strip())
        # A first look refuses a bad token or password before the hash is spent, without holding a
        # connection (or the token's row) for the hash's time.
        async with self.uow() as uow:
            _, user = await self._usable(uow, digest, self.clock.now())
        try:
            self.policy.check(command.new_password, user.email)
        except WeakPassword as weak:
            raise WeakPassword(weak.detail, field="new_password") from None  # the field this request sent
        password_hash = await self.hasher.hash(normalise_password(command.new_password))
        now = self.clock.now()
        async with self.uow() as uow:
            token, user = await self._usable(uow, digest, now)
            if not await uow.account_tokens.mark_used(token.id, now):
                raise InvalidAccountToken(_INVALID)
            await uow.users.set_password_hash(user.id, password_hash)
            await self._remove_untrusted_ways_in(uow, user, command.client_ip, now)
            await uow.users.mark_email_verified(user.id, token.email)
            await uow.account_tokens.invalidate_unused(user.id, AccountTokenPurpose.RESET_PASSWORD)
            families = await uow.refresh_sessions.revoke_all_for_user(user.id, now)
            # Recorded before the commit, as at logout: no answer says the sessions ended while an
            # access token of theirs still works. If Redis is down this raises (503) and rolls back.
            for family in families:
                await self.revoked_sessions.revoke(family)
            await record_event(
                uow,
                self.ids,
                user.id,
                SecurityEventKind.PASSWORD_RESET,
                now,
                command.client_ip,
                {"sessions_revoked": len(families)},
            )
            await uow.commit()
        await self.throttle.clear_account(account_key(user.email.value), command.client_ip)

    async def _remove_untrusted_ways_in(
        self, uow: IdentityUnitOfWork, user: User, ip: str | None, now: datetime
    ) -> None:
        """Proving the mailbox of an address nobody had proven closes every other way in that did not
        prove it: identities at providers that did not verify this address, and API keys (the
        pre-account-hijack path: someone made the account with this address before its owner)."""
        identities = await uow.external_identities.list_for_user(user.id, for_update=True)
        for identity in untrusted_once_the_mailbox_is_proven(user, identities):
            await uow.external_identities.remove(user.id, identity.provider)
            details = {"provider": identity.provider, "how": "password_reset"}
            await record_event(uow, self.ids, user.id, SecurityEventKind.IDENTITY_UNLINKED, now, ip, details)
        if user.email_verified:
            return
        for key in await uow.api_keys.list_for_user(user.id):
            if key.revoked_at is None and await uow.api_keys.revoke(key.id, now):
                details = {"api_key_id": str(key.id), "name": key.name, "how": "password_reset"}
                await record_event(uow, self.ids, user.id, SecurityEventKind.API_KEY_REVOKED, now, ip, details)

    async def _usable(self, uow: IdentityUnitOfWork, digest: str, now: datetime) -> tuple[AccountToken, User]:
        token = await uow.account_tokens.find_for_use(digest, AccountTokenPurpose.RESET_PASSWORD)
        user = await uow.users.get(token.user_id) if token is not None else None
        if token is None or user is None:
            raise InvalidAccountToken(_INVALID)
        token.use(now, user.email)  # a link sent to an address the account no longer has opens nothing
        return token, user
