"""Issuing an account token inside a unit of work: older unused tokens of the same purpose stop
working, and only the new token's digest is stored."""

from __future__ import annotations

from datetime import datetime

from application.identity.account_ports import IdentityUnitOfWork
from application.identity.tokens import digest_token
from application.shared.ports import IdGenerator, SecretGenerator
from domain.identity.account_token import AccountToken, AccountTokenPurpose
from domain.identity.user import User

ACCOUNT_TOKEN_BYTES = 32  # 256 random bits: nothing to guess, so a plain digest is enough


def new_account_token(secrets: SecretGenerator) -> tuple[str, str]:
    """A fresh token and its digest."""
    token = secrets.token(ACCOUNT_TOKEN_BYTES)
    return token, digest_token(token)


async def issue_account_token(
    uow: IdentityUnitOfWork,
    ids: IdGenerator,
    user: User,
    purpose: AccountTokenPurpose,
    digest: str,
    now: datetime,
) -> AccountToken:
    await uow.account_tokens.invalidate_unused(user.id, purpose)
    token = AccountToken.issue(
        id=ids.new_id(), user_id=user.id, purpose=purpose, digest=digest, email=user.email, now=now
    )
    await uow.account_tokens.add(token)
    return token
