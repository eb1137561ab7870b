"""A fake GitHub on loopback: OAuth 2.0 at ``/login/oauth/authorize`` and
``/login/oauth/access_token`` (GitHub's way: a refused code is a 200 with an ``error``), and the
REST API under ``/api`` (as GitHub Enterprise serves it): ``/user`` and ``/user/emails``.

Knobs beyond the shared ones (``fake_oauth_server``): the user who logs in and their email
addresses (primary/verified flags), and GitHub's rate limit (403 with ``x-ratelimit-remaining: 0``
and ``x-ratelimit-reset``, or a secondary limit's ``retry-after``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

from tests.support.fake_oauth_server import FakeOAuthServer, Grant, Request, Response

CLIENT_ID = "Iv1.fake-github-client"
CLIENT_SECRET = "fake-github-secret"


@attrs.frozen
class GitHubEmail:
    email: str
    primary: bool = False
    verified: bool = False


@attrs.frozen
class GitHubUser:
    id: int
    login: str
    name: str | None = None
    emails: tuple[GitHubEmail, ...] = ()


ANA = GitHubUser(
    id=583231,
    login="ana-octo",
    name="Ana Silva",
    emails=(GitHubEmail("ana@example.com", primary=True, verified=True), GitHubEmail("ana@work.example")),
)


class FakeGitHub(FakeOAuthServer):
    authorize_path = "/login/oauth/authorize"
    token_path = "/login/oauth/access_token"

    def __init__(self, user: GitHubUser = ANA) -> None:
        super().__init__(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, user=user)
        self._rate_limit: dict[str, str] | None = None
        self._rate_status = 403
        self._rate_limited_under = "/"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def settings_env(self) -> dict[str, str]:
        return {
            "MG_GITHUB_CLIENT_ID": CLIENT_ID,
            "MG_GITHUB_CLIENT_SECRET": CLIENT_SECRET,
            "MG_GITHUB_BASE_URL": self.url,
            "MG_GITHUB_API_URL": self.api_url,
        }

    def rate_limit(
        self, *, retry_after: int | None = None, reset_in: int | None = 60, status: int = 403, under: str = "/"
    ) -> None:
        """Every server-to-server request (whose path starts with ``under``) is refused as over the
        limit until ``recover()``: with ``x-ratelimit-remaining: 0`` and a reset ``reset_in`` seconds
        away (the primary limit), and/or a ``retry-after`` (a secondary limit)."""
        headers = {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-used": "5000"}
        if reset_in is not None:
            headers["x-ratelimit-reset"] = str(int(time.time()) + reset_in)
        else:
            headers.pop("x-ratelimit-remaining")
        if retry_after is not None:
            headers["retry-after"] = str(retry_after)
        with self._lock:
            self._rate_limit, self._rate_status, self._rate_limited_under = headers, status, under

    def recover(self) -> None:
        with self._lock:
            self._rate_limit = None
        super().recover()

    def unavailable(self, request: Request) -> Response | None:
        with self._lock:
            limited, status, under = self._rate_limit, self._rate_status, self._rate_limited_under
        if limited is not None and request.path.startswith(under):
            message = (
                "API rate limit exceeded. (But here's the good news: Authenticated requests get a higher rate limit.)"
            )
            return Response.json(status, {"message": message}, limited)
        return super().unavailable(request)

    def token_error(self, error: str, description: str) -> Response:
        github_error = {"invalid_grant": "bad_verification_code", "invalid_client": "incorrect_client_credentials"}
        return Response.json(200, {"error": github_error.get(error, error), "error_description": description})

    def token_answer(self, grant: Grant, access_token: str) -> dict[str, Any]:
        return {"access_token": access_token, "token_type": "bearer", "scope": grant.scope.replace(" ", ",")}

    def routes(self) -> dict[tuple[str, str], Callable[[Request], Response]]:
        return {("GET", "/api/user"): self._user, ("GET", "/api/user/emails"): self._emails}

    def _signed_in(self, request: Request) -> GitHubUser | None:
        user = self.user_for(request.bearer_token())
        return user if isinstance(user, GitHubUser) else None

    def _user(self, request: Request) -> Response:
        user = self._signed_in(request)
        if user is None:
            return Response.json(401, {"message": "Bad credentials"})
        public = next((e.email for e in user.emails if e.primary), None)
        return Response.json(200, {"id": user.id, "login": user.login, "name": user.name, "email": public})

    def _emails(self, request: Request) -> Response:
        user = self._signed_in(request)
        if user is None:
            return Response.json(401, {"message": "Bad credentials"})
        listed = [
            {"email": e.email, "primary": e.primary, "verified": e.verified, "visibility": None} for e in user.emails
        ]
        return Response.json(200, listed)


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    server = FakeGitHub()
    try:
        yield server
    finally:
        server.close()
