from __future__ import annotations

import hashlib

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWorkFactory, LoginThrottle, PasswordHasher
from application.identity.mfa_ports import MfaChallenge
from application.identity.tokens import SessionIssuer, TokenPair, digest_token
from application.shared.ports import Clock, IdGenerator, SecretGenerator
from domain.identity.email import EmailAddress, InvalidEmail
from domain.identity.errors import InvalidCredentials
from domain.identity.mfa import MFA_CHALLENGE_TTL, FactorStatus
from domain.identity.password_policy import normalise_password
from domain.shared.errors import TooManyAttempts

_INVALID = "The email or password is incorrect."
MFA_TOKEN_BYTES = 32


def account_key(email: str) -> str:
    """The throttle's key for an account: a digest, so Redis never holds the address itself."""
    return hashlib.sha256(email.encode()).hexdigest()[:32]


@frozen
class MfaRequired:
    """The password was right; a second factor must follow at /auth/mfa/challenge."""

    mfa_token: str
    expires_in: int


@frozen
class LogInCommand:
    email: str
    password: str
    client_ip: str | None = None


@frozen
class LogIn:
    uow: IdentityUnitOfWorkFactory
    hasher: PasswordHasher
    throttle: LoginThrottle
    sessions: SessionIssuer
    clock: Clock
    ids: IdGenerator
    secrets: SecretGenerator

    async def __call__(self, command: LogInCommand) -> TokenPair | MfaRequired:
        try:
            email: EmailAddress | None = EmailAddress.parse(command.email)
        except InvalidEmail:
            email = None
        # A malformed email is throttled like any other: an address spraying garbage is refused
        # before it costs a password hash.
        account = account_key(email.value if email is not None else command.email)
        retry_after = await self.throttle.retry_after(account, command.client_ip)
        if retry_after is not None:
            raise TooManyAttempts(
                "Too many failed sign-in attempts; try again later.",
                retry_after_seconds=retry_after,
                limiter="sign_in",
            )
        user = None
        if email is not None:
            async with self.uow() as uow:
                user = await uow.users.get_by_email(email)
        if user is None:
            await self.hasher.verify_against_nothing(command.password)
            await self.throttle.record_failure(account, command.client_ip)
            raise InvalidCredentials(_INVALID)
        if user.password_hash is None:  # an account without a password signs in through its provider
            await self.hasher.verify_against_nothing(command.password)
            await self.throttle.record_failure(account, command.client_ip)
            raise InvalidCredentials(_INVALID)
        if not await self.hasher.verify(user.password_hash, normalise_password(command.password)):
            await self.throttle.record_failure(account, command.client_ip)
            raise InvalidCredentials(_INVALID)
        await self.throttle.clear_account(account, command.client_ip)
        now = self.clock.now()
        async with self.uow() as uow:
            if await uow.mfa_factors.get(user.id, FactorStatus.ACTIVE.value) is not None:
                mfa_token = self.secrets.token(MFA_TOKEN_BYTES)
                await uow.mfa_challenges.add(
                    MfaChallenge(
                        token_digest=digest_token(mfa_token),
                        user_id=user.id,
                        created_at=now,
                        expires_at=now + MFA_CHALLENGE_TTL,
                    )
                )
                await uow.commit()
                return MfaRequired(mfa_token=mfa_token, expires_in=int(MFA_CHALLENGE_TTL.total_seconds()))
            pair = await self.sessions.issue(
                uow, user_id=user.id, scopes=user.scopes, family_id=self.ids.new_id(), auth_time=now, now=now
            )
            await uow.commit()
        return pair
