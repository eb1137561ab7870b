from __future__ import annotations

import asyncio
import hashlib

from attrs import frozen

from application.identity.account_ports import (
    AccessTokenIssuer,
    IdentityUnitOfWorkFactory,
    LoginThrottle,
    RevokedSessions,
)
from application.identity.api_key_ports import (
    ApiKeyLookup,
    ApiKeyRateLimiter,
    ApiKeyUsageRecorder,
    FoundApiKey,
    RateLimitDecision,
)
from application.identity.principal import Principal
from application.shared.ports import Clock
from domain.identity.api_key import API_KEY_PREFIX, effective_scopes, is_well_formed
from domain.identity.errors import InvalidAccessToken, InvalidApiKey
from domain.shared.errors import RateLimited, TooManyAttempts

_INVALID_KEY = "The API key is not valid."


def api_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@frozen
class Authenticated:
    principal: Principal
    rate_limit: RateLimitDecision | None = None


@frozen
class Authenticate:
    """Resolve a request's credential — an access token or an API key — into a Principal."""

    access_tokens: AccessTokenIssuer
    keys: ApiKeyLookup
    uow: IdentityUnitOfWorkFactory
    rate_limiter: ApiKeyRateLimiter
    usage: ApiKeyUsageRecorder
    invalid_key_throttle: LoginThrottle
    clock: Clock
    revoked_sessions: RevokedSessions

    async def __call__(
        self, authorization: str | None, api_key_header: str | None = None, ip: str | None = None
    ) -> Authenticated:
        scheme, _, credential = (authorization or "").partition(" ")
        credential = credential.strip()
        if api_key_header:
            return await self._api_key(api_key_header.strip(), ip)
        if scheme.lower() != "bearer" or not credential:
            raise InvalidAccessToken("Send a Bearer access token or an API key.")
        if credential.startswith(API_KEY_PREFIX):
            return await self._api_key(credential, ip)
        claims = self.access_tokens.verify(credential)
        # The signature check may be remembered; whether the session is still live never is.
        if await self.revoked_sessions.is_revoked(claims.session_family):
            raise InvalidAccessToken("This session has ended; sign in again.")
        return Authenticated(
            Principal(
                user_id=claims.subject,
                scopes=claims.scopes,
                auth_time=claims.auth_time,
                session_family=claims.session_family,
            )
        )

    async def _api_key(self, key: str, ip: str | None) -> Authenticated:
        throttle_key = f"invalid-api-key-ip:{ip or 'unknown'}"
        # The block check (Redis) and the lookup (PostgreSQL) go out together, so both answers
        # cost the same round trip. The block throttles invalid keys only: a valid key passes
        # from an address that also sent bad ones (a neighbour's, or its owner's own typos).
        wait, found = await asyncio.gather(self.invalid_key_throttle.retry_after(throttle_key, None), self._find(key))
        now = self.clock.now()
        if found is None or not found.api_key.is_usable(now):
            if wait is not None:
                raise TooManyAttempts(
                    "Too many invalid API keys from this address.", retry_after_seconds=wait, limiter="invalid_api_key"
                )
            await self.invalid_key_throttle.record_failure(throttle_key, None)
            raise InvalidApiKey(_INVALID_KEY)
        api_key = found.api_key
        # Independent round trips to Redis, sent together.
        decision, record_use = await asyncio.gather(
            self.rate_limiter.hit(api_key.id, api_key.rate_limit_per_minute),
            self.usage.should_record(api_key.id),
        )
        if not decision.allowed:
            raise RateLimited(
                "This API key is over its rate limit.",
                retry_after_seconds=decision.reset_seconds,
                limiter="api_key",
                decision=decision,
            )
        if record_use:
            async with self.uow() as uow:
                await uow.api_keys.record_use(api_key.id, now, ip)
                await uow.commit()
        # Capped by what the owner holds now: a key minted while its owner's admin was being
        # revoked, or any other path that narrows an owner, can never leave a key above them.
        scopes = effective_scopes(api_key.scopes, found.owner_scopes)
        principal = Principal(user_id=api_key.user_id, scopes=scopes, api_key_id=api_key.id)
        return Authenticated(principal, rate_limit=decision)

    async def _find(self, key: str) -> FoundApiKey | None:
        return await self.keys.find_by_digest(api_key_digest(key)) if is_well_formed(key) else None
