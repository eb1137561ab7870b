"""An identity provider adapter wired as the service wires it (``configured_providers`` from the
``MG_*`` values a fake gives), with the fake behind it and the person's part of the dance: visiting
the authorization URL and coming back with a code, as a browser following redirects would.

``provider_world`` builds one for a provider kind; the contract suite is parametrised over
``PROVIDER_KINDS``: the real adapters against fakes over HTTP (``REAL_KINDS``, a ``ProviderWorld``)
and the in-memory provider the other tests use (``IN_MEMORY_KINDS``, an ``InMemoryProviderWorld``,
where the person approves at the fake directly). What both kinds of world offer the contract is
``IdentityProviderWorld``."""

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

from adapters.identity import github_identity_provider, google_identity_provider
from adapters.identity.in_memory_identity_provider import InMemoryIdentityProvider
from adapters.operations.in_memory_breaker_states import InMemoryBreakerStates
from adapters.operations.purgatory_circuit_breaker import PurgatoryCircuitBreaker
from adapters.shared.system import SystemClock
from application.identity.identity_provider_ports import (
    AuthorizationRequest,
    IdentityProvider,
    ProviderIdentity,
    ProviderUnavailable,
)
from domain.operations.breakers import BreakerPolicies
from entrypoints.config import Settings
from entrypoints.containers.identity_providers import ProviderClients, callback_url, configured_providers
from entrypoints.containers.operations import BREAKER_POLICIES
from entrypoints.sign_in_config import SignInSettings
from tests.support.fake_github import FakeGitHub, GitHubEmail, GitHubUser
from tests.support.fake_google import FakeGoogle, GoogleUser
from tests.support.fake_oauth_server import FakeOAuthServer

REAL_KINDS = ["github", "google"]
IN_MEMORY_KINDS = ["in-memory-github", "in-memory-google"]  # as tests/support/provider_sign_in has them
PROVIDER_KINDS = REAL_KINDS + IN_MEMORY_KINDS
OPENID_CONNECT_KINDS = ["google", "in-memory-google"]
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
class IdentityProviderWorld:
    """An adapter under contract and the person's part of the dance; subclasses say how the
    person gets to the provider and which knobs the provider has."""

    kind: str
    provider: IdentityProvider
    expected_subject: str

    @property
    def callback_url(self) -> str:
        raise NotImplementedError

    @property
    def authorization_endpoint(self) -> str:
        """Where the authorization URL points (before its query)."""
        raise NotImplementedError

    @property
    def client_id(self) -> str:
        raise NotImplementedError

    def new_flow(self) -> Flow:
        verifier, challenge = pkce_pair()
        nonce = secrets.token_urlsafe(16) if self.provider.uses_nonce else None
        return Flow(secrets.token_urlsafe(16), verifier, challenge, nonce, self.callback_url)

    def person(self, number: int) -> str:
        """From now on person ``number`` (not Ana) signs in at the provider; their subject."""
        raise NotImplementedError

    async def approved(self, authorization_url: str) -> dict[str, str]:
        """What the person brings back to our callback from the provider: its query."""
        raise NotImplementedError

    def expire_codes(self) -> None:
        raise NotImplementedError

    def go_down(self) -> None:
        """The provider cannot be reached any more."""
        raise NotImplementedError

    async def granted_code(self, flow: Flow | None = None) -> tuple[Flow, str]:
        """The person signs in at the provider and consents: the code the callback receives."""
        flow = flow or self.new_flow()
        back = await self.approved(await self.provider.authorization_url(flow.request()))
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


@attrs.define
class ProviderWorld(IdentityProviderWorld):
    """A real adapter against its fake provider on loopback; the person follows the redirect."""

    fake: FakeOAuthServer
    breakers: PurgatoryCircuitBreaker
    settings: Settings

    @property
    def callback_url(self) -> str:
        return callback_url(self.settings, self.kind)

    @property
    def authorization_endpoint(self) -> str:
        return f"{self.fake.url}{self.fake.authorize_path}"

    @property
    def client_id(self) -> str:
        return self.fake.client_id

    def person(self, number: int) -> str:
        if isinstance(self.fake, FakeGitHub):
            email = GitHubEmail(f"person{number}@example.com", primary=True, verified=True)
            self.fake.sign_in_as(GitHubUser(id=1000 + number, login=f"person{number}", emails=(email,)))
            return str(1000 + number)
        self.fake.sign_in_as(GoogleUser(sub=f"sub-{number}", email=f"person{number}@example.com"))
        return f"sub-{number}"

    async def approved(self, authorization_url: str) -> dict[str, str]:
        return await follow(authorization_url)

    def expire_codes(self) -> None:
        self.fake.expire_codes()

    def go_down(self) -> None:
        self.fake.close()  # nothing listens on its port any more


@attrs.define
class InMemoryProviderWorld(IdentityProviderWorld):
    """The in-memory provider (``fake``, the same object as ``provider``): the person approves
    there directly, as whoever ``person`` last chose (Ana at first)."""

    fake: InMemoryIdentityProvider
    signing_in: ProviderIdentity

    @property
    def callback_url(self) -> str:
        return f"https://gateway.example/api/v1/auth/oauth/{self.provider.name}/callback"

    @property
    def authorization_endpoint(self) -> str:
        return self.fake.authorize_endpoint

    @property
    def client_id(self) -> str:
        return self.fake.client_id

    def person(self, number: int) -> str:
        self.signing_in = ProviderIdentity(
            provider=self.provider.name,
            subject=f"person-{number}",
            email=f"person{number}@example.com",
            email_verified=True,
            display_name=f"Person {number}",
        )
        return self.signing_in.subject

    async def approved(self, authorization_url: str) -> dict[str, str]:
        back = self.fake.approve(authorization_url, self.signing_in)
        return {"code": back.code, "state": back.state}

    def expire_codes(self) -> None:
        self.fake.expire_codes()

    def go_down(self) -> None:
        self.fake.failing_with = ProviderUnavailable(f"{self.provider.name} cannot be reached")


def in_memory_world(kind: str) -> InMemoryProviderWorld:
    name = kind.removeprefix("in-memory-")
    oidc = name == "google"
    scopes = google_identity_provider.SCOPES if oidc else github_identity_provider.SCOPES
    fake = InMemoryIdentityProvider(name, uses_nonce=oidc, scopes=scopes)
    ana = ProviderIdentity(
        provider=name,
        subject="110248495921238986420" if oidc else "583231",
        email="ana@example.com",
        email_verified=True,
        display_name="Ana Silva",
        login=None if oidc else "ana",
    )
    return InMemoryProviderWorld(kind, fake, ana.subject, fake, ana)


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
        yield ProviderWorld(kind, provider, _expected_subject(server), server, breakers, settings)
    finally:
        await clients.aclose()
        if own:
            server.close()
