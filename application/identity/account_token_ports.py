"""The port of account tokens (email verification, password reset), inside the identity unit of
work as ``uow.account_tokens``."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.identity.account_token import AccountToken, AccountTokenPurpose


class AccountTokenRepository(Protocol):
    async def add(self, token: AccountToken) -> None: ...

    async def find_for_use(self, digest: str, purpose: AccountTokenPurpose) -> AccountToken | None:
        """The token with this digest and purpose, used or not, locked until the unit of work ends
        (FOR UPDATE), so a second use waits for the first to commit and then sees it used."""

    async def mark_used(self, token_id: UUID, now: datetime) -> bool:
        """Mark an unused, unexpired token used; False if it was used already or has expired
        (compare-and-set on ``used_at``)."""

    async def invalidate_unused(self, user_id: UUID, purpose: AccountTokenPurpose) -> int:
        """Delete the account's unused tokens of ``purpose`` (a newer one replaces them); return how many."""

    async def delete_expired(self, before: datetime) -> int:
        """Delete tokens that expired before ``before``, used or not; return how many."""
