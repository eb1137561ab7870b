from __future__ import annotations

from attrs import frozen

from application.identity.ports import IdentityUnitOfWorkFactory
from application.identity.tokens import SessionIssuer, TokenPair, digest_token
from application.shared.ports import Clock
from domain.identity.errors import InvalidRefreshToken

_INVALID = "The refresh token is invalid, expired or revoked; sign in again."


@frozen
class RefreshTokensCommand:
    refresh_token: str


@frozen
class RefreshTokens:
    """Trade a refresh token for a new pair. Presenting a retired token revokes its family."""

    uow: IdentityUnitOfWorkFactory
    sessions: SessionIssuer
    clock: Clock

    async def __call__(self, command: RefreshTokensCommand) -> TokenPair:
        now = self.clock.now()
        async with self.uow() as uow:
            current = await uow.refresh_sessions.get_by_digest(digest_token(command.refresh_token))
            if current is None or current.is_revoked or current.is_expired(now):
                raise InvalidRefreshToken(_INVALID)
            if current.was_rotated or not await uow.refresh_sessions.mark_rotated(current.id, now):
                await uow.refresh_sessions.revoke_family(current.family_id, now)
                await uow.commit()
                raise InvalidRefreshToken(_INVALID)
            user = await uow.users.get(current.user_id)
            if user is None:
                raise InvalidRefreshToken(_INVALID)
            pair = await self.sessions.issue(
                uow,
                user_id=user.id,
                scopes=user.scopes,
                family_id=current.family_id,
                auth_time=current.auth_time,
                now=now,
            )
            await uow.commit()
        return pair
