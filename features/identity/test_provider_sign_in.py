from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from application.identity.identity_provider_ports import ProviderIdentity
from features.conftest import Api
from tests.support.apps import running
from tests.support.provider_sign_in import ANA_AT_GITHUB, ANA_AT_GOOGLE, APP, ProviderWorld, provider_world

scenarios("identity/provider_sign_in.feature")

PASSWORD = "a long passphrase for ana"
NAMES = {"GitHub": "github", "Google": "google"}


@pytest.fixture
def providers(tmp_path: Path) -> ProviderWorld:
    return provider_world(tmp_path)


@pytest.fixture
def api(providers: ProviderWorld) -> Iterator[Api]:
    """The features' Api, on a world where GitHub and Google (in memory) are configured."""
    with asyncio.Runner() as runner:
        context = running(providers.world.container)
        _, client = runner.run(context.__aenter__())
        try:
            yield Api(runner, client, providers.world)
        finally:
            runner.run(context.__aexit__(None, None, None))


@attrs.define
class Ana:
    api: Api
    providers: ProviderWorld
    at_provider: dict[str, ProviderIdentity] = attrs.Factory(dict)
    tokens: dict[str, Any] = attrs.Factory(dict)
    last: tuple[int, Any] = (0, None)
    redirected_to: str = ""
    link_code: str = ""
    mallory_tokens: dict[str, Any] = attrs.Factory(dict)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    def get(self, path: str, **query: str) -> tuple[int, dict[str, str], Any]:
        async def request() -> tuple[int, dict[str, str], Any]:
            response = await self.api.client.get(path, query_string=query)
            return response.status_code, {k.lower(): v for k, v in response.headers.items()}, await response.get_json()

        return self.api.run(request())

    def through_provider(self, name: str, authorization_url: str) -> tuple[int, dict[str, str], Any]:
        """At the provider she signs in and consents; the browser comes back to the callback."""
        back = self.providers.approve(authorization_url, self.at_provider[name])
        return self.get(urlsplit(back.callback_url).path, state=back.state, code=back.code)

    def sign_in_with(self, name: str, **query: str) -> tuple[int, dict[str, str], Any]:
        status, headers, _ = self.get(f"/api/v1/auth/oauth/{name}/authorize", **query)
        assert status == 302
        return self.through_provider(name, headers["location"])

    def identities(self) -> list[str]:
        status, body = self.api.call("get", "/api/v1/me/identities", headers=self.headers())
        assert status == 200
        return [identity["provider"] for identity in body["items"]]


@pytest.fixture
def ana(api: Api, providers: ProviderWorld) -> Ana:
    return Ana(api, providers)


@given(parsers.parse('GitHub knows Ana by her verified address "{email}"'))
def github_knows_ana(ana: Ana, email: str) -> None:
    ana.at_provider["github"] = attrs.evolve(ANA_AT_GITHUB, email=email, email_verified=True)


@given(parsers.parse('Google knows Ana by her verified address "{email}"'))
@given(parsers.parse('Google knows Ana by the address "{email}"'))
def google_knows_ana(ana: Ana, email: str) -> None:
    ana.at_provider["google"] = attrs.evolve(ANA_AT_GOOGLE, email=email, email_verified=True)


def signed_in_with_password(api: Api, email: str) -> dict[str, Any]:
    assert api.call("post", "/api/v1/auth/register", json={"email": email, "password": PASSWORD})[0] == 202
    status, tokens = api.call("post", "/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert status == 200
    return tokens  # type: ignore[no-any-return]


@given("Ana has an account with a password and is signed in")
def with_password(api: Api, ana: Ana) -> None:
    ana.tokens = signed_in_with_password(api, "ana@example.com")


@given("Mallory has an account with a password and is signed in")
def mallory_with_password(api: Api, ana: Ana) -> None:
    ana.mallory_tokens = signed_in_with_password(api, "mallory@example.com")


@given(parsers.parse('someone registered "{email}" with a password of their own and never confirmed it'))
def squatter(api: Api, email: str) -> None:
    body = {"email": email, "password": "the squatter's own passphrase"}
    assert api.call("post", "/api/v1/auth/register", json=body)[0] == 202


@given("Ana signed up with GitHub and has no password")
def signed_up_with_github(ana: Ana) -> None:
    ana.at_provider["github"] = ANA_AT_GITHUB
    status, _, ana.tokens = ana.sign_in_with("github")
    assert status == 200 and "access_token" in ana.tokens


@when("Ana signs in with GitHub from the app")
def signs_in_from_the_app(ana: Ana) -> None:
    status, headers, _ = ana.sign_in_with("github", redirect_uri=APP, state="app-1")
    assert status == 302
    ana.redirected_to = headers["location"]


@when(parsers.re(r"Ana signs in with (?P<provider>GitHub|Google)$"))
def signs_in(ana: Ana, provider: str) -> None:
    status, _, body = ana.sign_in_with(NAMES[provider])
    ana.last = (status, body)


@when(parsers.parse("Ana links {provider} from her settings"))
def links(api: Api, ana: Ana, provider: str) -> None:
    status, body = api.call("post", f"/api/v1/me/identities/{NAMES[provider]}", headers=ana.headers())
    assert status == 200
    status, _, body = ana.through_provider(NAMES[provider], body["authorization_url"])
    assert status == 200 and set(body) == {"link_code", "provider", "expires_in"}
    assert NAMES[provider] not in ana.identities()  # nothing is attached until her app confirms
    ana.link_code = body["link_code"]


@when(parsers.parse("her app confirms the link with the code {provider}'s answer brought back"))
def app_confirms(api: Api, ana: Ana, provider: str) -> None:
    path = f"/api/v1/me/identities/{NAMES[provider]}/confirm"
    status, body = api.call("post", path, headers=ana.headers(), json={"code": ana.link_code})
    assert status == 200 and body["provider"] == NAMES[provider]


@when(parsers.parse("Mallory starts linking {provider} and Ana approves it at {same}"))
def mallory_starts(api: Api, ana: Ana, provider: str, same: str) -> None:
    mallory = {"Authorization": f"Bearer {ana.mallory_tokens['access_token']}"}
    status, body = api.call("post", f"/api/v1/me/identities/{NAMES[provider]}", headers=mallory)
    assert status == 200
    status, _, body = ana.through_provider(NAMES[provider], body["authorization_url"])
    assert status == 200
    ana.link_code = body["link_code"]


@when("Ana's app, signed in as Ana, tries to confirm the link with the code it was sent")
def ana_app_confirms(api: Api, ana: Ana) -> None:
    path = "/api/v1/me/identities/google/confirm"
    ana.last = api.call("post", path, headers=ana.headers(), json={"code": ana.link_code})


@then("the link is refused")
def link_refused(ana: Ana) -> None:
    status, problem = ana.last
    assert status == 400 and problem["type"] == "/problems/invalid-link-code"


@when(parsers.parse("Ana removes {provider} from her settings"))
def removes(api: Api, ana: Ana, provider: str) -> None:
    ana.last = api.call("delete", f"/api/v1/me/identities/{NAMES[provider]}", headers=ana.headers())


@then("the app signs her in with the one-time code it was sent")
def app_exchanges_the_code(api: Api, ana: Ana) -> None:
    parts = urlsplit(ana.redirected_to)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert ana.redirected_to.startswith(APP) and query["state"] == "app-1" and set(query) == {"code", "state"}
    status, ana.tokens = api.call("post", "/api/v1/auth/oauth/exchange", json={"code": query["code"]})
    assert status == 200 and "access_token" in ana.tokens


@then(parsers.parse('she has a new account for "{email}", its address already verified'))
def new_verified_account(api: Api, ana: Ana, email: str) -> None:
    status, profile = api.call("get", "/api/v1/me", headers=ana.headers())
    assert status == 200 and profile["email"] == email and profile["email_verified"] is True
    status, _ = api.call("post", "/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert status == 401  # no password: only GitHub opens it


@then(parsers.parse("her settings show {provider} as a way to sign in"))
@then(parsers.parse("her settings still show {provider}"))
def settings_show(ana: Ana, provider: str) -> None:
    assert NAMES[provider] in ana.identities()


@then(parsers.parse("her security log shows that {provider} was linked"))
def security_log_shows(api: Api, ana: Ana, provider: str) -> None:
    status, events = api.call("get", "/api/v1/me/security-events", headers=ana.headers())
    latest = events["items"][0]
    assert status == 200 and latest["kind"] == "identity_linked"
    assert latest["details"] == {"provider": NAMES[provider], "how": "settings"}


@then("signing in with Google later opens the same account")
def google_opens_the_same_account(api: Api, ana: Ana) -> None:
    status, _, tokens = ana.sign_in_with("google")
    assert status == 200
    mine = api.call("get", "/api/v1/me", headers=ana.headers())[1]
    theirs = api.call("get", "/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})[1]
    assert mine["user_id"] == theirs["user_id"]


@then(parsers.parse("she is asked to sign in to that account and link {provider} from its settings"))
def asked_to_link_from_settings(ana: Ana, provider: str) -> None:
    status, problem = ana.last
    assert status == 409 and problem["type"] == "/problems/link-from-settings"
    assert f"link {NAMES[provider]} from your settings" in problem["detail"]


@then("nobody's account has her Google identity")
def nobody_has_it(providers: ProviderWorld) -> None:
    assert providers.world.identity.state.external_identities == {}


@then("she is told it is her last way to sign in")
def told_last_way(ana: Ana) -> None:
    status, problem = ana.last
    assert status == 409 and problem["type"] == "/problems/last-sign-in-method"
