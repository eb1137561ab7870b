from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWork, IdentityUnitOfWorkFactory, RevokedSessions
from application.identity.mfa_ports import SecretBox
from application.identity.tokens import SessionIssuer, TokenPair, digest_token
from application.shared.ports import Clock
from domain.identity.errors import InvalidRefreshToken
from domain.identity.refresh_session import RefreshSession, SealedToken

_INVALID = "The refresh token is invalid, expired or revoked; sign in again."


def successor_associated_data(session_id: UUID) -> bytes:
    """Binds a sealed successor to the session it succeeds: it cannot be moved to another row."""
    return b"refresh-successor:" + session_id.bytes


@frozen
class RefreshTokensCommand:
    refresh_token: str


@frozen
class RefreshTokens:
    """Trade a refresh token for a new pair. Presenting a retired token revokes its family, unless
    it is a retry: within ``reuse_grace`` of the rotation, while the successor is still the family's
    live token, the same successor is returned again (with a fresh access token), as Auth0's reuse
    interval and Okta's grace period do. A zero grace turns that off."""

    uow: IdentityUnitOfWorkFactory
    sessions: SessionIssuer
    clock: Clock
    secret_box: SecretBox
    revoked_sessions: RevokedSessions
    reuse_grace: timedelta

    async def __call__(self, command: RefreshTokensCommand) -> TokenPair:
        now = self.clock.now()
        digest = digest_token(command.refresh_token)
        async with self.uow() as uow:
            current = await uow.refresh_sessions.get_by_digest(digest)
            if current is None or current.is_revoked or current.is_expired(now):
                raise InvalidRefreshToken(_INVALID)
            if not current.was_rotated:
                pair = await self._rotate(uow, current, now)
                if pair is not None:
                    await uow.commit()
                    return pair
                # Another refresh of this token committed first (Postgres: we waited on its row
                # lock); read what it left, as a retry arriving a moment later would.
                current = await uow.refresh_sessions.get_by_digest(digest)
                if current is None or current.is_revoked:
                    raise InvalidRefreshToken(_INVALID)
            if current.retried_within(self.reuse_grace, now):
                again = await self._again(uow, current, now)
                if again is not None:
                    return again
            await uow.refresh_sessions.revoke_family(current.family_id, now)
            # Before the commit: once the family is revoked, none of its access tokens may work.
            await self.revoked_sessions.revoke(current.family_id)
            await uow.commit()
            raise InvalidRefreshToken(_INVALID)

    async def _rotate(self, uow: IdentityUnitOfWork, current: RefreshSession, now: datetime) -> TokenPair | None:
        user = await uow.users.get(current.user_id)
        if user is None:
            raise InvalidRefreshToken(_INVALID)
        successor = self.sessions.new_refresh_token()
        sealed = None
        if self.reuse_grace > timedelta(0):
            key_id, ciphertext = self.secret_box.seal(successor.encode(), successor_associated_data(current.id))
            sealed = SealedToken(key_id=key_id, ciphertext=ciphertext)
        if not await uow.refresh_sessions.mark_rotated(current.id, now, sealed):
            return None
        return await self.sessions.issue(
            uow,
            user_id=user.id,
            scopes=user.scopes,
            family_id=current.family_id,
            auth_time=current.auth_time,
            now=now,
            refresh_token=successor,
            client_name=current.client_name,
        )

    async def _again(self, uow: IdentityUnitOfWork, current: RefreshSession, now: datetime) -> TokenPair | None:
        """The successor handed out at the rotation, if it is still the family's live token."""
        assert current.sealed_successor is not None
        sealed = current.sealed_successor
        successor_token = self.secret_box.open(
            sealed.key_id, sealed.ciphertext, successor_associated_data(current.id)
        ).decode()
        successor = await uow.refresh_sessions.get_by_digest(digest_token(successor_token))
        # Rotated again already (Auth0's rule too): the old token is a reuse, not a retry.
        if successor is None or not successor.is_live or successor.is_expired(now):
            return None
        user = await uow.users.get(current.user_id)
        if user is None:
            raise InvalidRefreshToken(_INVALID)
        return self.sessions.again(successor, successor_token, user.scopes, now)
