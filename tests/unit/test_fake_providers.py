"""The fake providers' browser side, which the sign-in flow's tests rely on: the authorization
endpoint sends the person back with the same state (and a code, or ``error=access_denied`` when
they decline), refuses to redirect for an unknown client, and insists on PKCE S256."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from tests.support.fake_github import FakeGitHub
from tests.support.fake_google import FakeGoogle
from tests.support.fake_oauth_server import FakeOAuthServer
from tests.support.identity_provider_worlds import pkce_pair

CALLBACK = "http://127.0.0.1:8080/api/v1/auth/oauth/x/callback"


async def visit(fake: FakeOAuthServer, **overrides: str) -> httpx.Response:
    _, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": fake.client_id,
        "redirect_uri": CALLBACK,
        "state": "the-state",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **overrides,
    }
    async with httpx.AsyncClient() as browser:
        return await browser.get(f"{fake.url}{fake.authorize_path}?{urlencode(query)}")


def sent_back(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    return dict(parse_qsl(location.query))


@pytest.mark.parametrize("fake", [FakeGitHub, FakeGoogle])
async def test_the_person_is_sent_back_with_a_code_and_the_same_state(fake: type[FakeOAuthServer]) -> None:
    server = fake()
    try:
        back = sent_back(await visit(server))
        assert back["state"] == "the-state" and back["code"]

        server.decline()
        assert sent_back(await visit(server)) == {"error": "access_denied", "state": "the-state"}
    finally:
        server.close()


async def test_without_pkce_s256_the_person_is_sent_back_with_an_error(fake_github: FakeGitHub) -> None:
    assert sent_back(await visit(fake_github, code_challenge_method="plain"))["error"] == "invalid_request"


async def test_an_unknown_client_is_not_redirected_anywhere(fake_google: FakeGoogle) -> None:
    response = await visit(fake_google, client_id="someone-else")

    assert response.status_code == 400
    assert "Location" not in response.headers


def test_each_fake_gives_the_settings_that_point_the_service_at_it(
    fake_github: FakeGitHub, fake_google: FakeGoogle
) -> None:
    assert fake_github.settings_env()["MG_GITHUB_BASE_URL"] == fake_github.url
    assert fake_github.settings_env()["MG_GITHUB_API_URL"] == f"{fake_github.url}/api"
    assert fake_google.settings_env()["MG_GOOGLE_ISSUER"] == fake_google.url
