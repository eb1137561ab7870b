"""An identity provider adapter wired as the service wires it (``configured_providers`` from the
``MG_*`` values a fake gives), with the fake behind it and the person's part of the dance: visiting
the authorization URL and coming back with a code, as a browser following redirects would.

``provider_world`` builds one for a provider kind; the contract suite is parametrised over
``PROVIDER_KINDS`` (an in-memory provider can join that list with a builder of its own)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs
import httpx

from adapters.operations.in_memory_breaker_states import InMemoryBreakerStates
from adapters.operations.purgatory_circuit_breaker import PurgatoryCircuitBreaker
from adapters.shared.system import SystemClock
from application.identity.identity_provider_ports import AuthorizationRequest, IdentityProvider
from domain.operations.breakers import BreakerPolicies
from entrypoints.config import Settings
from entrypoints.containers.identity_providers import ProviderClients, callback_url, configured_providers
from entrypoints.containers.operations import BREAKER_POLICIES
from entrypoints.sign_in_config import SignInSettings
from tests.support.fake_github import FakeGitHub, GitHubEmail, GitHubUser
from tests.support.fake_google import FakeGoogle, GoogleUser
from tests.support.fake_oauth_server import FakeOAuthServer

PROVIDER_KINDS = ["github", "google"]
TIMEOUT_SECONDS = 1  # MG_PROVIDER_TIMEOUT_SECONDS in these tests: a slow provider is given up on quickly


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def follow(authorization_url: str) -> dict[str, str]:
    """What the person's browser brings back to our callback from the provider: its query."""
    async with httpx.AsyncClient() as browser:
        response = await browser.get(authorization_url)
    assert response.status_code == 302, response.text
    return dict(parse_qsl(urlsplit(response.headers["Location"]).query))


@attrs.define
class Flow:
    """One sign-in's secrets, as the flow keeps them server-side."""

    state: str
    verifier: str
    challenge: str
    nonce: str | None
    callback_url: str

    def request(self) -> AuthorizationRequest:
        return AuthorizationRequest(
            callback_url=self.callback_url, state=self.state, code_challenge=self.challenge, nonce=self.nonce
        )


@attrs.define
class ProviderWorld:
    kind: str
    provider: IdentityProvider
    fake: FakeOAuthServer
    breakers: PurgatoryCircuitBreaker
    settings: Settings
    expected_subject: str

    def new_flow(self) -> Flow:
        verifier, challenge = pkce_pair()
        nonce = secrets.token_urlsafe(16) if self.provider.uses_nonce else None
        return Flow(secrets.token_urlsafe(16), verifier, challenge, nonce, callback_url(self.settings, self.kind))

    def person(self, number: int) -> str:
        """From now on person ``number`` (not Ana) signs in at the provider; their subject."""
        if isinstance(self.fake, FakeGitHub):
            email = GitHubEmail(f"person{number}@example.com", primary=True, verified=True)
            self.fake.sign_in_as(GitHubUser(id=1000 + number, login=f"person{number}", emails=(email,)))
            return str(1000 + number)
        self.fake.sign_in_as(GoogleUser(sub=f"sub-{number}", email=f"person{number}@example.com"))
        return f"sub-{number}"

    async def granted_code(self, flow: Flow | None = None) -> tuple[Flow, str]:
        """The person signs in at the provider and consents: the code the callback receives."""
        flow = flow or self.new_flow()
        back = await follow(await self.provider.authorization_url(flow.request()))
        assert back.get("state") == flow.state
        return flow, back["code"]

    async def identify(self, flow: Flow, code: str, **changes: Any) -> Any:
        options: dict[str, Any] = {
            "code": code,
            "callback_url": flow.callback_url,
            "code_verifier": flow.verifier,
            "nonce": flow.nonce,
        }
        return await self.provider.identify(**{**options, **changes})


def _fake(kind: str) -> FakeOAuthServer:
    return {"github": FakeGitHub, "google": FakeGoogle}[kind]()


def _expected_subject(fake: FakeOAuthServer) -> str:
    user = fake.user
    return str(user.id) if isinstance(fake, FakeGitHub) else str(user.sub)


@asynccontextmanager
async def provider_world(
    kind: str, tmp_path: Path, *, fake: FakeOAuthServer | None = None, env: dict[str, str] | None = None
) -> AsyncIterator[ProviderWorld]:
    """``kind``'s adapter against a fresh fake (or ``fake``), closed afterwards."""
    own = fake is None
    server = fake or _fake(kind)
    sign_in = SignInSettings.from_env(
        {**server.settings_env(), "MG_PROVIDER_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS), **(env or {})}
    )
    settings = Settings(data_dir=tmp_path, sign_in=sign_in)
    breakers = PurgatoryCircuitBreaker(BreakerPolicies(BREAKER_POLICIES), InMemoryBreakerStates(), SystemClock())
    clients = ProviderClients(TIMEOUT_SECONDS)
    provider = configured_providers(settings, breakers, SystemClock(), clients).get(kind)
    assert provider is not None
    try:
        yield ProviderWorld(kind, provider, server, breakers, settings, _expected_subject(server))
    finally:
        await clients.aclose()
        if own:
            server.close()
