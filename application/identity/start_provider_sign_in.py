from __future__ import annotations

from attrs import frozen

from application.identity.provider_flow import ProviderFlows


@frozen
class StartProviderSignInCommand:
    provider: str
    redirect_uri: str | None = None  # a client app's return address; None: the callback answers JSON
    client_state: str | None = None  # echoed back to redirect_uri with the login code


@frozen
class StartProviderSignIn:
    """Where to send the browser to sign in at the provider."""

    flows: ProviderFlows

    async def __call__(self, command: StartProviderSignInCommand) -> str:
        return await self.flows.begin(
            command.provider, redirect_uri=command.redirect_uri, client_state=command.client_state
        )
