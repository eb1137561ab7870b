"""An account's identities at providers, seen and changed from its settings."""

from __future__ import annotations

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.identity.principal import Principal
from application.identity.provider_flow import ProviderFlows
from application.identity.security_log import record_event
from application.shared.ports import Clock, IdGenerator
from domain.identity.errors import InvalidAccessToken
from domain.identity.external_identity import ExternalIdentity, ProviderAlreadyLinked, ensure_can_unlink
from domain.identity.mfa import REAUTHENTICATION_MAX_AGE, ReauthenticationRequired
from domain.identity.security_event import SecurityEventKind


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
    """Where to send the browser so the provider's callback attaches the identity to this account.
    Needs a sign-in from the last 10 minutes: a stolen access token must not add a way in."""

    uow: IdentityUnitOfWorkFactory
    flows: ProviderFlows
    clock: Clock

    async def __call__(self, command: StartLinkIdentityCommand) -> str:
        auth_time = command.principal.require_session()
        self.flows.provider(command.provider)
        if self.clock.now() - auth_time > REAUTHENTICATION_MAX_AGE:
            raise ReauthenticationRequired(
                "Sign in again to link a provider: your sign-in is more than 10 minutes old."
            )
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
