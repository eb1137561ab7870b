from __future__ import annotations

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWork, IdentityUnitOfWorkFactory
from application.identity.backup_codes import low_backup_codes_warning
from application.identity.factor_checker import AcceptedCode, FactorChecker
from application.identity.tokens import SessionIssuer, TokenPair, digest_token
from application.shared.ports import Clock, IdGenerator
from domain.identity.mfa import InvalidMfaToken

_INVALID = "The sign-in step has expired or was already completed; sign in again."


@frozen
class CompleteMfaChallengeCommand:
    mfa_token: str
    code: str
    ip: str | None = None


@frozen
class MfaSignIn:
    tokens: TokenPair
    backup_codes_remaining: int | None
    warning: str | None


@frozen
class CompleteMfaChallenge:
    """Second step of signing in: a TOTP or backup code trades the single-use mfa_token for a session."""

    uow: IdentityUnitOfWorkFactory
    checker: FactorChecker
    sessions: SessionIssuer
    clock: Clock
    ids: IdGenerator

    async def __call__(self, command: CompleteMfaChallengeCommand) -> MfaSignIn:
        digest = digest_token(command.mfa_token)
        async with self.uow() as uow:
            challenge = await uow.mfa_challenges.get_live(digest, self.clock.now())
        if challenge is None:
            raise InvalidMfaToken(_INVALID)

        async def sign_in(uow: IdentityUnitOfWork, accepted: AcceptedCode) -> MfaSignIn:
            now = self.clock.now()
            if not await uow.mfa_challenges.consume(digest, now):
                raise InvalidMfaToken(_INVALID)
            user = await uow.users.get(challenge.user_id)
            if user is None:
                raise InvalidMfaToken(_INVALID)
            tokens = await self.sessions.issue(
                uow, user_id=user.id, scopes=user.scopes, family_id=self.ids.new_id(), auth_time=now, now=now
            )
            remaining = accepted.backup_codes_remaining
            return MfaSignIn(
                tokens=tokens, backup_codes_remaining=remaining, warning=low_backup_codes_warning(remaining)
            )

        return await self.checker.use(challenge.user_id, command.code, command.ip, sign_in)
