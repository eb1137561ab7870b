"""Asking for the current password again before an account-security change (GitHub's sudo mode)."""

from __future__ import annotations

from attrs import frozen

from application.identity.account_ports import LoginThrottle, PasswordHasher
from application.identity.log_in import account_key
from domain.identity.errors import InvalidPassword
from domain.identity.password_policy import normalise_password
from domain.identity.user import User
from domain.shared.errors import TooManyAttempts


@frozen
class ConfirmPassword:
    """A stolen access token alone must not mint API keys or enroll the thief's authenticator.

    A wrong password counts as a failed sign-in for the account and the address (the same
    throttle as LogIn), and an account or address already over the limit is refused first, so
    this is no side door for guessing passwords."""

    hasher: PasswordHasher
    throttle: LoginThrottle

    async def __call__(self, user: User, password: str, ip: str | None) -> None:
        account = account_key(user.email.value)
        retry_after = await self.throttle.retry_after(account, ip)
        if retry_after is not None:
            raise TooManyAttempts(
                "Too many failed sign-in attempts; try again later.", retry_after_seconds=retry_after, limiter="sign_in"
            )
        if user.password_hash is None:
            await self.hasher.verify_against_nothing(password)
            await self.throttle.record_failure(account, ip)
            raise InvalidPassword("This account has no password; set one with a password reset first.")
        if not await self.hasher.verify(user.password_hash, normalise_password(password)):
            await self.throttle.record_failure(account, ip)
            raise InvalidPassword("The password is incorrect.")
