"""Creating, listing, revoking and reporting leaked API keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.identity.api_key_ports import ClientRateLimiter
from application.identity.authenticate import api_key_digest
from application.identity.confirm_password import ConfirmPassword
from application.identity.principal import Principal
from application.identity.security_log import record_event
from application.shared.ports import Clock, IdGenerator, SecretGenerator
from domain.identity.api_key import (
    API_KEY_PREFIX,
    DEFAULT_EXPIRY,
    DEFAULT_RATE_LIMIT_PER_MINUTE,
    MAX_EXPIRY_DAYS,
    MAX_KEY_NAME_LENGTH,
    MAX_RATE_LIMIT_PER_MINUTE,
    RANDOM_BYTES,
    ApiKey,
    InvalidApiKeyRequest,
    encode_api_key,
    is_well_formed,
    validate_requested_scopes,
)
from domain.identity.errors import ApiKeyNotFound, InvalidAccessToken
from domain.identity.security_event import SecurityEventKind
from domain.shared.errors import RateLimited

MAX_LEAKED_KEYS_PER_REPORT = 100


@frozen
class CreateApiKeyCommand:
    principal: Principal
    name: str
    scopes: list[str]
    password: str
    expires_in_days: int | None = None
    rate_limit_per_minute: int | None = None
    ip: str | None = None


@frozen
class CreatedApiKey:
    key: str
    api_key: ApiKey


@frozen
class CreateApiKey:
    """A key lives up to a year, so minting one asks for the current password, not only a token."""

    uow: IdentityUnitOfWorkFactory
    secrets: SecretGenerator
    ids: IdGenerator
    clock: Clock
    confirm_password: ConfirmPassword

    async def __call__(self, command: CreateApiKeyCommand) -> CreatedApiKey:
        command.principal.require_session()
        name = " ".join(command.name.split())
        if not name or len(name) > MAX_KEY_NAME_LENGTH:
            raise InvalidApiKeyRequest(f"Name the key (1–{MAX_KEY_NAME_LENGTH} characters).", field="name")
        days = command.expires_in_days
        if days is not None and not 1 <= days <= MAX_EXPIRY_DAYS:
            raise InvalidApiKeyRequest(
                f"'expires_in_days' must be between 1 and {MAX_EXPIRY_DAYS}.", field="expires_in_days"
            )
        limit = command.rate_limit_per_minute or DEFAULT_RATE_LIMIT_PER_MINUTE
        if not 1 <= limit <= MAX_RATE_LIMIT_PER_MINUTE:
            raise InvalidApiKeyRequest(
                f"'rate_limit_per_minute' must be between 1 and {MAX_RATE_LIMIT_PER_MINUTE}.",
                field="rate_limit_per_minute",
            )
        async with self.uow() as uow:
            user = await uow.users.get(command.principal.user_id)
        if user is None:
            raise InvalidAccessToken("The account behind this token no longer exists.")
        await self.confirm_password(user, command.password, command.ip)  # outside any transaction
        now = self.clock.now()
        async with self.uow() as uow:
            # Read again: the password check took a while, and the owner's scopes may have
            # changed meanwhile (admin revoked). Authentication caps keys by them anyway.
            user = await uow.users.get(user.id)
            if user is None:
                raise InvalidAccessToken("The account behind this token no longer exists.")
            scopes = validate_requested_scopes(command.scopes, user.scopes)
            key = encode_api_key(self.secrets.random_bytes(RANDOM_BYTES))
            body = key[len(API_KEY_PREFIX) :]
            api_key = ApiKey(
                id=self.ids.new_id(),
                user_id=user.id,
                name=name,
                digest=api_key_digest(key),
                prefix=body[:4],
                last_four=key[-4:],
                scopes=scopes,
                rate_limit_per_minute=limit,
                created_at=now,
                expires_at=now + (timedelta(days=days) if days else DEFAULT_EXPIRY),
            )
            await uow.api_keys.add(api_key)
            await record_event(
                uow,
                self.ids,
                user.id,
                SecurityEventKind.API_KEY_CREATED,
                now,
                command.ip,
                {"api_key_id": str(api_key.id), "name": name},
            )
            await uow.commit()
        return CreatedApiKey(key=key, api_key=api_key)


@frozen
class ListedApiKey:
    """A key as its owner's list shows it: with whether it had expired when the list was read."""

    api_key: ApiKey
    expired: bool


@frozen
class ListApiKeys:
    uow: IdentityUnitOfWorkFactory
    clock: Clock

    async def __call__(self, principal: Principal) -> list[ListedApiKey]:
        principal.require_session()
        async with self.uow() as uow:
            keys = await uow.api_keys.list_for_user(principal.user_id)
        now = self.clock.now()
        return [ListedApiKey(api_key=key, expired=key.is_expired(now)) for key in keys]


@frozen
class RevokeApiKeyCommand:
    principal: Principal
    key_id: UUID
    ip: str | None = None


@frozen
class RevokeApiKey:
    uow: IdentityUnitOfWorkFactory
    ids: IdGenerator
    clock: Clock

    async def __call__(self, command: RevokeApiKeyCommand) -> None:
        principal = command.principal
        principal.require_session()
        now = self.clock.now()
        async with self.uow() as uow:
            key = await uow.api_keys.get(command.key_id)
            if key is None or key.user_id != principal.user_id:
                raise ApiKeyNotFound("No such API key.")
            if await uow.api_keys.revoke(command.key_id, now):
                await record_event(
                    uow,
                    self.ids,
                    key.user_id,
                    SecurityEventKind.API_KEY_REVOKED,
                    now,
                    command.ip,
                    {"api_key_id": str(key.id), "name": key.name},
                )
                await uow.commit()


@frozen
class ReportLeakedApiKeysCommand:
    keys: Sequence[str]
    reporter_ip: str | None = None


@frozen
class ReportLeakedApiKeys:
    """A secret-scanning partner reports keys it found in public; every valid one is revoked.

    Anyone may report, so each address gets a budget of reports (each costs a lookup per key)."""

    uow: IdentityUnitOfWorkFactory
    ids: IdGenerator
    clock: Clock
    limiter: ClientRateLimiter

    async def __call__(self, command: ReportLeakedApiKeysCommand) -> int:
        reporter_ip = command.reporter_ip
        decision = await self.limiter.hit(reporter_ip or "unknown")
        if not decision.allowed:
            raise RateLimited(
                "Too many leaked-key reports from this address; wait and send the rest in one report.",
                retry_after_seconds=decision.reset_seconds,
                limiter="leaked_key_reports",
                decision=decision,
            )
        revoked = 0
        now = self.clock.now()
        for raw in list(dict.fromkeys(command.keys))[:MAX_LEAKED_KEYS_PER_REPORT]:
            if not is_well_formed(raw.strip()):
                continue
            async with self.uow() as uow:
                key = await uow.api_keys.get_by_digest(api_key_digest(raw.strip()))
                if key is None or not await uow.api_keys.revoke(key.id, now):
                    continue
                await record_event(
                    uow,
                    self.ids,
                    key.user_id,
                    SecurityEventKind.API_KEY_LEAKED,
                    now,
                    reporter_ip,
                    {"api_key_id": str(key.id), "name": key.name},
                )
                await uow.commit()
                revoked += 1
        return revoked
