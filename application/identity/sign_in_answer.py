"""What a finished first step of signing in answers: a session, or the second-factor step when
the account has two-factor on (no way of signing in skips it)."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWork
from application.identity.log_in import MFA_TOKEN_BYTES, MfaRequired
from application.identity.mfa_ports import MfaChallenge
from application.identity.tokens import SessionIssuer, TokenPair, digest_token
from application.shared.ports import IdGenerator, SecretGenerator
from domain.identity.mfa import MFA_CHALLENGE_TTL, FactorStatus
from domain.identity.user import User


@frozen
class SignInAnswer:
    sessions: SessionIssuer
    ids: IdGenerator
    secrets: SecretGenerator

    async def __call__(
        self, uow: IdentityUnitOfWork, user: User, *, auth_time: datetime, now: datetime
    ) -> TokenPair | MfaRequired:
        """Inside the caller's unit of work, which must commit."""
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
            return MfaRequired(mfa_token=mfa_token, expires_in=int(MFA_CHALLENGE_TTL.total_seconds()))
        return await self.sessions.issue(
            uow, user_id=user.id, scopes=user.scopes, family_id=self.ids.new_id(), auth_time=auth_time, now=now
        )
