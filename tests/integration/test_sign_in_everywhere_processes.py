"""The sign-in issue's "done when", on real processes: `serve --with-worker` on real PostgreSQL and
Redis, mail to the outbox directory read with `media-gateway outbox`, and the fake GitHub and
Google on loopback. Ana registers, verifies her email from the outbox, signs in with GitHub, links
Google from her settings and signs in with it, unlinks GitHub, resets a forgotten password, and
signs in on her TV with a code from her phone. Each step's edge cases are owned elsewhere (use-case
tests, contract suites, tests/http); this is the whole of it working together."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.integration.test_service_process import CLI
from tests.support.fake_github import FakeGitHub
from tests.support.fake_google import FakeGoogle

pytestmark = pytest.mark.integration

APP = "https://app.example/signed-in"  # the client app's return address
ANA, PASSWORD, NEW_PASSWORD = "ana@example.com", "a long passphrase of ana", "ana's brand new passphrase"


class Service:
    def __init__(self, base: str, env: dict[str, str]) -> None:
        self.http = httpx.Client(base_url=base, timeout=15)
        self.env = env

    def __call__(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.request(method, path, headers=headers, **kwargs)

    def mailed_token(self, subject: str, count: int) -> str:
        """The token in the newest outbox mail, once the worker has delivered ``count`` mails."""
        deadline = time.monotonic() + 30
        while True:
            listing = subprocess.run([*CLI, "outbox"], env=self.env, capture_output=True, text=True, timeout=60)
            lines = [line for line in listing.stdout.splitlines() if ANA in line]
            if len(lines) >= count:
                break
            assert time.monotonic() < deadline, f"no mail #{count} in the outbox: {listing.stdout}{listing.stderr}"
            time.sleep(0.3)
        assert subject in lines[-1]
        last = subprocess.run([*CLI, "outbox", "--last"], env=self.env, capture_output=True, text=True, timeout=60)
        match = re.search(r"\?token=([A-Za-z0-9_-]+)", last.stdout)
        assert match, last.stdout
        return match.group(1)

    def through_the_provider(self, authorization_url: str) -> httpx.Response:
        """What the browser does: the provider's page (which signs the fake's person in at once)
        redirects back to our callback; return our callback's answer."""
        at_provider = httpx.get(authorization_url, timeout=15)
        assert at_provider.status_code == 302, at_provider.text
        callback = urlsplit(at_provider.headers["location"])
        return self("GET", f"{callback.path}?{callback.query}")


@pytest.fixture
def service(
    start: Callable[..., tuple[str, subprocess.Popen[bytes]]],
    shared_env: dict[str, str],
    fake_github: FakeGitHub,
    fake_google: FakeGoogle,
) -> Iterator[Service]:
    env = {**fake_github.settings_env(), **fake_google.settings_env(), "MG_OAUTH_REDIRECT_URIS": APP}
    base, _ = start("--with-worker", **env)
    service = Service(base, {**shared_env, **env})
    yield service
    service.http.close()


def test_ana_signs_in_everywhere(service: Service) -> None:
    # Registers with a password; the verification mail reaches the outbox through the worker.
    assert service("POST", "/api/v1/auth/register", json={"email": ANA, "password": PASSWORD}).status_code == 202
    token = service.mailed_token("Confirm your email address", count=1)
    assert service("POST", "/api/v1/auth/verify-email", json={"token": token}).status_code == 200
    signed_in = service("POST", "/api/v1/auth/login", json={"email": ANA, "password": PASSWORD}).json()
    me = service("GET", "/api/v1/me", signed_in["access_token"]).json()
    assert me["email_verified"] is True

    # Signs in with GitHub from the client app: both sides verified ana@example.com, so it links.
    authorize = service("GET", "/api/v1/auth/oauth/github/authorize", params={"redirect_uri": APP, "state": "s1"})
    assert authorize.status_code == 302
    back_to_app = service.through_the_provider(authorize.headers["location"])
    assert back_to_app.status_code == 302 and back_to_app.headers["location"].startswith(APP)
    returned = parse_qs(urlsplit(back_to_app.headers["location"]).query)
    assert set(returned) == {"code", "state"} and returned["state"] == ["s1"]  # never tokens in a URL
    github = service("POST", "/api/v1/auth/oauth/exchange", json={"code": returned["code"][0]}).json()
    assert service("GET", "/api/v1/me", github["access_token"]).json()["user_id"] == me["user_id"]

    # Links Google from her settings (her GitHub sign-in is recent), confirming with her own token.
    start_link = service("POST", "/api/v1/me/identities/google", github["access_token"])
    assert start_link.status_code == 200, start_link.text
    pending = service.through_the_provider(start_link.json()["authorization_url"]).json()
    confirm = service(
        "POST", "/api/v1/me/identities/google/confirm", github["access_token"], json={"code": pending["link_code"]}
    )
    assert confirm.status_code == 200, confirm.text
    identities = service("GET", "/api/v1/me/identities", github["access_token"]).json()["items"]
    assert sorted(i["provider"] for i in identities) == ["github", "google"]

    # Signs in with Google (JSON answer, as an API client gets it), then unlinks GitHub.
    google = service.through_the_provider(
        service("GET", "/api/v1/auth/oauth/google/authorize").headers["location"]
    ).json()
    assert service("GET", "/api/v1/me", google["access_token"]).json()["user_id"] == me["user_id"]
    assert service("DELETE", "/api/v1/me/identities/github", google["access_token"]).status_code == 204
    identities = service("GET", "/api/v1/me/identities", google["access_token"]).json()["items"]
    assert [i["provider"] for i in identities] == ["google"]

    # Forgets her password: the reset mail, a new password, every earlier session signed out.
    assert service("POST", "/api/v1/auth/password/forgot", json={"email": ANA}).status_code == 202
    reset_token = service.mailed_token("Reset your password", count=2)
    reset = service("POST", "/api/v1/auth/password/reset", json={"token": reset_token, "new_password": NEW_PASSWORD})
    assert reset.status_code == 204, reset.text
    assert service("GET", "/api/v1/me", google["access_token"]).status_code == 401
    phone = service("POST", "/api/v1/auth/login", json={"email": ANA, "password": NEW_PASSWORD}).json()

    # Signs in on her TV with the code it shows, approved from her phone.
    tv = service("POST", "/api/v1/auth/device", json={"client_name": "Living room TV"}).json()
    assert re.fullmatch(r"[A-Z]{4}-[A-Z]{4}", tv["user_code"])
    approve = service("POST", "/api/v1/auth/device/approve", phone["access_token"], json={"user_code": tv["user_code"]})
    assert approve.status_code == 200, approve.text
    on_tv = service("POST", "/api/v1/auth/device/token", json={"device_code": tv["device_code"]}).json()
    assert service("GET", "/api/v1/me", on_tv["access_token"]).json()["user_id"] == me["user_id"]
    sessions = service("GET", "/api/v1/me/sessions", phone["access_token"]).json()["items"]
    assert "Living room TV" in [s["client_name"] for s in sessions]
