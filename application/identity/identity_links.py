"""An account's identities at providers, seen and changed from its settings. Adding or removing
a way in needs a sign-in from the last 10 minutes: a stolen access token must not change them."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.identity.external_identity_ports import LoginCodeStore
from application.identity.identity_attachment import attach_identity
from application.identity.principal import Principal
from application.identity.provider_flow import InvalidLinkCode, ProviderFlows
from application.identity.security_log import record_event
from application.identity.tokens import digest_token
from application.shared.ports import Clock, IdGenerator
from domain.identity.errors import InvalidAccessToken
from domain.identity.external_identity import (
    ExternalIdentity,
    ProviderAlreadyLinked,
    ensure_can_link,
    ensure_can_unlink,
)
from domain.identity.mfa import REAUTHENTICATION_MAX_AGE, ReauthenticationRequired
from domain.identity.security_event import SecurityEventKind


def require_recent_sign_in(principal: Principal, now: datetime, doing: str) -> None:
    if now - principal.require_session() > REAUTHENTICATION_MAX_AGE:
        raise ReauthenticationRequired(f"Sign in again to {doing}: your sign-in is more than 10 minutes old.")


@frozen
class ListIdentities:
    uow: IdentityUnitOfWorkFactory

    async def __call__(self, principal: Principal) -> list[ExternalIdentity]:
        principal.require_session()
        async with self.uow() as uow:
            return await uow.external_identities.list_for_user(principal.user_id)


@frozen
class StartLinkIdentityCommand:
    principal: Principal
    provider: str
    redirect_uri: str | None = None
    client_state: str | None = None


@frozen
class StartLinkIdentity:
    """Where to send the browser; the provider's callback answers a link code, which this account's
    own session then confirms (ConfirmIdentityLink)."""

    uow: IdentityUnitOfWorkFactory
    flows: ProviderFlows
    clock: Clock

    async def __call__(self, command: StartLinkIdentityCommand) -> str:
        command.principal.require_session()
        self.flows.provider(command.provider)
        require_recent_sign_in(command.principal, self.clock.now(), "link a provider")
        async with self.uow() as uow:
            linked = await uow.external_identities.list_for_user(command.principal.user_id)
        if any(identity.provider == command.provider for identity in linked):
            raise ProviderAlreadyLinked(f"A {command.provider} identity is linked to this account already.")
        return await self.flows.begin(
            command.provider,
            redirect_uri=command.redirect_uri,
            client_state=command.client_state,
            link_user_id=command.principal.user_id,
        )


@frozen
class ConfirmIdentityLinkCommand:
    principal: Principal
    provider: str
    code: str
    ip: str | None = None


@frozen
class ConfirmIdentityLink:
    """Attach the identity a link code stands for, when the account asking is the one that started
    the link: that is what ties the provider's approval to the person who asked for it."""

    uow: IdentityUnitOfWorkFactory
    flows: ProviderFlows
    login_codes: LoginCodeStore
    ids: IdGenerator
    clock: Clock

    async def __call__(self, command: ConfirmIdentityLinkCommand) -> ExternalIdentity:
        command.principal.require_session()  # before taking the code: an API key must not spend it
        self.flows.provider(command.provider)
        user_id = command.principal.user_id
        grant = await self.login_codes.take(digest_token(command.code))
        identity = grant.link if grant is not None else None
        if grant is None or identity is None or grant.user_id != user_id or identity.provider != command.provider:
            raise InvalidLinkCode("This link code is unknown, expired or was used already; link the provider again.")
        now = self.clock.now()
        async with self.uow() as uow:
            if await uow.users.get(user_id) is None:
                raise InvalidAccessToken("The account behind this token no longer exists.")
            # Locked, then checked again: things may have changed since the callback checked them.
            mine = await uow.external_identities.list_for_user(user_id, for_update=True)
            holder = await uow.external_identities.get(identity.provider, identity.subject)
            already = ensure_can_link(holder, mine, user_id, identity.provider)
            if already is not None:
                return already
            linked = await attach_identity(uow, self.ids, identity, user_id, how="settings", ip=command.ip, now=now)
            await uow.commit()
        return linked


@frozen
class UnlinkIdentityCommand:
    principal: Principal
    provider: str
    ip: str | None = None


@frozen
class UnlinkIdentity:
    uow: IdentityUnitOfWorkFactory
    flows: ProviderFlows
    ids: IdGenerator
    clock: Clock

    async def __call__(self, command: UnlinkIdentityCommand) -> None:
        command.principal.require_session()
        self.flows.provider(command.provider)
        require_recent_sign_in(command.principal, self.clock.now(), "remove a provider")
        user_id = command.principal.user_id
        async with self.uow() as uow:
            user = await uow.users.get(user_id)
            if user is None:
                raise InvalidAccessToken("The account behind this token no longer exists.")
            identities = await uow.external_identities.list_for_user(user_id, for_update=True)
            target = ensure_can_unlink(user, identities, command.provider)
            await uow.external_identities.remove(user_id, command.provider)
            details = {"provider": target.provider}
            now = self.clock.now()
            await record_event(uow, self.ids, user_id, SecurityEventKind.IDENTITY_UNLINKED, now, command.ip, details)
            await uow.commit()
