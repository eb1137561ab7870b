"""Issuing a session: an access token plus a refresh token in a family."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from uuid import UUID

from attrs import frozen

from application.identity.account_ports import AccessTokenIssuer, IdentityUnitOfWork
from application.shared.ports import IdGenerator, SecretGenerator
from domain.identity.refresh_session import RefreshSession

REFRESH_TOKEN_BYTES = 32


def digest_token(token: str) -> str:
    """SHA-256 is enough here: refresh tokens carry 256 random bits, so there is nothing to brute-force."""
    return hashlib.sha256(token.encode()).hexdigest()


@frozen
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    token_type: str = "Bearer"  # noqa: S105 -- a scheme name, not a secret


@frozen
class SessionIssuer:
    access_tokens: AccessTokenIssuer
    ids: IdGenerator
    secrets: SecretGenerator
    refresh_ttl: timedelta

    async def issue(
        self,
        uow: IdentityUnitOfWork,
        *,
        user_id: UUID,
        scopes: frozenset[str],
        family_id: UUID,
        auth_time: datetime,
        now: datetime,
        refresh_token: str | None = None,
        client_name: str | None = None,
    ) -> TokenPair:
        """A new refresh session in the family (with ``refresh_token`` if one was drawn already)."""
        refresh_token = refresh_token or self.new_refresh_token()
        await uow.refresh_sessions.add(
            RefreshSession(
                id=self.ids.new_id(),
                family_id=family_id,
                user_id=user_id,
                token_digest=digest_token(refresh_token),
                issued_at=now,
                expires_at=now + self.refresh_ttl,
                auth_time=auth_time,
                client_name=client_name,
            )
        )
        access = self.access_tokens.issue(user_id, scopes, auth_time, family_id)
        return TokenPair(
            access_token=access.token,
            refresh_token=refresh_token,
            expires_in=access.expires_in_seconds,
            refresh_expires_in=int(self.refresh_ttl.total_seconds()),
        )

    def new_refresh_token(self) -> str:
        return self.secrets.token(REFRESH_TOKEN_BYTES)

    def again(self, session: RefreshSession, refresh_token: str, scopes: frozenset[str], now: datetime) -> TokenPair:
        """The pair of an existing live session: its refresh token, and a fresh access token."""
        access = self.access_tokens.issue(session.user_id, scopes, session.auth_time, session.family_id)
        return TokenPair(
            access_token=access.token,
            refresh_token=refresh_token,
            expires_in=access.expires_in_seconds,
            refresh_expires_in=max(0, int((session.expires_at - now).total_seconds())),
        )
