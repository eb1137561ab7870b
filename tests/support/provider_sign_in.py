"""The fake world with two in-memory providers configured (GitHub-like without a nonce,
Google-like with one) and a client app's return address allowed, plus the dance between them."""

from __future__ import annotations

from pathlib import Path

import attrs
from dependency_injector import providers

from adapters.identity import github_identity_provider, google_identity_provider
from adapters.identity.in_memory_identity_provider import InMemoryIdentityProvider, ProviderCallback
from application.identity.complete_provider_sign_in import (
    CompleteProviderSignInCommand,
    LinkPending,
    LoginCodeRedirect,
)
from application.identity.identity_provider_ports import ConfiguredProviders, ProviderIdentity
from application.identity.log_in import MfaRequired
from application.identity.start_provider_sign_in import StartProviderSignInCommand
from application.identity.tokens import TokenPair
from entrypoints.sign_in_config import SignInSettings
from tests.support.apps import FakeWorld, fake_container

APP = "https://app.example/after-sign-in"  # the client app's return address
PUBLIC_BASE_URL = "https://gateway.example"

ANA_AT_GITHUB = ProviderIdentity(
    provider="github", subject="583231", email="ana@example.com", email_verified=True, display_name="Ana", login="ana"
)
ANA_AT_GOOGLE = ProviderIdentity(
    provider="google", subject="110248495921238986420", email="ana@example.com", email_verified=True, display_name="Ana"
)


def provider_world(tmp_path: Path, **overrides: object) -> ProviderWorld:
    world = fake_container(
        tmp_path, sign_in=SignInSettings(public_base_url=PUBLIC_BASE_URL, oauth_redirect_uris=(APP,)), **overrides
    )
    github = InMemoryIdentityProvider("github", uses_nonce=False, scopes=github_identity_provider.SCOPES)
    google = InMemoryIdentityProvider("google", uses_nonce=True, scopes=google_identity_provider.SCOPES)
    configured = ConfiguredProviders(providers={"github": github, "google": google})
    world.container.identity.identity_providers.override(providers.Object(configured))
    return ProviderWorld(world, github, google)


@attrs.frozen
class ProviderWorld:
    world: FakeWorld
    github: InMemoryIdentityProvider
    google: InMemoryIdentityProvider

    def provider(self, name: str) -> InMemoryIdentityProvider:
        return {"github": self.github, "google": self.google}[name]

    async def start(self, provider: str, redirect_uri: str | None = None, client_state: str | None = None) -> str:
        start = self.world.container.identity.start_provider_sign_in()
        return await start(StartProviderSignInCommand(provider, redirect_uri, client_state))

    def approve(self, url: str, identity: ProviderIdentity) -> ProviderCallback:
        return self.provider(identity.provider).approve(url, identity)

    async def callback(
        self, provider: str, *, state: str | None, code: str | None = None, error: str | None = None
    ) -> TokenPair | MfaRequired | LoginCodeRedirect | LinkPending:
        complete = self.world.container.identity.complete_provider_sign_in()
        return await complete(CompleteProviderSignInCommand(provider, state=state, code=code, error=error))

    async def sign_in(
        self, identity: ProviderIdentity, redirect_uri: str | None = None, client_state: str | None = None
    ) -> TokenPair | MfaRequired | LoginCodeRedirect | LinkPending:
        """The whole browser dance: authorize, approve at the provider as ``identity``, callback."""
        url = await self.start(identity.provider, redirect_uri, client_state)
        back = self.approve(url, identity)
        return await self.callback(identity.provider, state=back.state, code=back.code)

    def verify_email(self, email: str) -> None:
        """What following the verification mail does (another part of the issue owns that flow)."""
        (user,) = [u for u in self.world.identity.state.users.values() if u.email.value == email]
        user.email_verified = True
