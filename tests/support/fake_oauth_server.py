"""What a fake GitHub and a fake Google share: a real HTTP server on loopback with an OAuth 2.0
authorization endpoint and token endpoint that behave like a strict provider.

The authorization endpoint "logs the person in" as the configured user (or they decline) and
redirects to the ``redirect_uri`` with a code and the same ``state``, as a browser would follow.
The token endpoint checks the client's id and secret, the ``redirect_uri``, the PKCE verifier
against the S256 challenge, that the code is not expired and not used before (a replayed code is
refused and revokes the tokens issued for it, RFC 6749 4.1.2). Knobs make the provider fail with a
status, answer slowly, or expire the outstanding codes; every request is counted by path, and every
authorization request kept, for tests to look at."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs

CODE_LIFETIME_SECONDS = 600
SLOW_AT_MOST_SECONDS = 60.0  # a slow answer is released by close() before this


@attrs.frozen
class Request:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]  # lower-case names

    def bearer_token(self) -> str | None:
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        return token if scheme.lower() in ("bearer", "token") and token else None


@attrs.frozen
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = attrs.Factory(dict)

    @classmethod
    def json(cls, status: int, value: Any, headers: dict[str, str] | None = None) -> Response:
        return cls(status, json.dumps(value).encode(), {"Content-Type": "application/json", **(headers or {})})

    @classmethod
    def redirect(cls, location: str) -> Response:
        return cls(302, b"", {"Location": location})


@attrs.define
class Grant:
    """One code the authorization endpoint gave out, and what it was given for."""

    code: str
    user: Any
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    scope: str
    issued_at: float
    used: bool = False
    tokens: list[str] = attrs.Factory(list)


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


class FakeOAuthServer:
    authorize_path = "/authorize"
    token_path = "/token"
    # Answered whatever the knobs say: the person's browser, not our server, talks to these.
    browser_paths: frozenset[str] = frozenset()

    def __init__(self, *, client_id: str, client_secret: str, user: Any) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.user = user  # who "logs in" at the authorization endpoint
        self.declines = False
        self.authorizations: list[dict[str, str]] = []
        self.hits: Counter[str] = Counter()
        self.received: list[Request] = []  # every request, in order (headers included: traceparent)
        self._lock = threading.RLock()
        self._grants: dict[str, Grant] = {}
        self._tokens: dict[str, Grant] = {}
        self._failing: int | None = None
        self._failing_under = "/"
        self._delay = 0.0
        self._released = threading.Event()
        self._connections: set[socket.socket] = set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=type(self).__name__, daemon=True
        )
        self._thread.start()

    # --- for tests ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def sign_in_as(self, user: Any) -> None:
        with self._lock:
            self.user, self.declines = user, False

    def decline(self) -> None:
        """The person says no at the provider: the redirect carries ``error=access_denied``."""
        with self._lock:
            self.declines = True

    def fail(self, status: int = 503, *, under: str = "/") -> None:
        """Every server-to-server endpoint (whose path starts with ``under``) answers ``status``
        until ``recover()``."""
        with self._lock:
            self._failing, self._failing_under = status, under

    def garble(self, *, under: str = "/") -> None:
        """Every server-to-server endpoint (under ``under``) answers 200 with a page that is not
        JSON, until ``recover()``."""
        self.fail(200, under=under)

    def slow(self, seconds: float) -> None:
        """Every server-to-server endpoint answers only after ``seconds``, until ``recover()``."""
        with self._lock:
            self._delay = seconds
            self._released.clear()

    def recover(self) -> None:
        with self._lock:
            self._failing, self._delay = None, 0.0
            self._released.set()

    def expire_codes(self) -> None:
        """Every code given out so far is past its lifetime."""
        with self._lock:
            for grant in self._grants.values():
                grant.issued_at -= CODE_LIFETIME_SECONDS + 1

    def authorize(self, *, redirect_uri: str, state: str, code_challenge: str, nonce: str | None = None) -> str:
        """A code, as the authorization endpoint would give it (for tests that skip the redirect)."""
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
            "scope": "",
        }
        if nonce is not None:
            query["nonce"] = nonce
        location = self._authorize(Request("GET", self.authorize_path, query, {}, {})).headers["Location"]
        return dict(parse_qsl(urlsplit(location).query))["code"]

    def user_for(self, access_token: str | None) -> Any | None:
        with self._lock:
            grant = self._tokens.get(access_token or "")
            return grant.user if grant is not None else None

    def close(self) -> None:
        """Down: the port refuses connections, and kept-alive ones are cut."""
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            connections, self._connections = self._connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    # --- what subclasses say --------------------------------------------------------------------

    def settings_env(self) -> dict[str, str]:
        """The ``MG_*`` values pointing the service at this provider."""
        raise NotImplementedError

    def routes(self) -> dict[tuple[str, str], Callable[[Request], Response]]:
        return {}

    def token_error(self, error: str, description: str) -> Response:
        """How this provider says no at the token endpoint (``error`` is RFC 6749's code)."""
        return Response.json(400, {"error": error, "error_description": description})

    def token_answer(self, grant: Grant, access_token: str) -> dict[str, Any]:
        return {"access_token": access_token, "token_type": "bearer", "scope": grant.scope}

    def unavailable(self, request: Request) -> Response | None:
        """An answer that replaces the endpoint's (a failure, a rate limit), or None."""
        with self._lock:
            failing = self._failing if request.path.startswith(self._failing_under) else None
        if failing == 200:
            return Response(200, b"<html>Unicorn! We are having a problem</html>", {"Content-Type": "text/html"})
        if failing is not None:
            return Response.json(failing, {"message": "fake provider failing"})
        return None

    # --- the endpoints --------------------------------------------------------------------------

    def _authorize(self, request: Request) -> Response:
        query = request.query
        with self._lock:
            self.authorizations.append(dict(query))
            user, declines = self.user, self.declines
        redirect_uri = query.get("redirect_uri")
        if query.get("client_id") != self.client_id or not redirect_uri:
            return Response(400, b"unknown client or no redirect_uri")  # a provider shows this, never redirects
        state = {"state": query["state"]} if "state" in query else {}
        if declines:
            return Response.redirect(with_query(redirect_uri, error="access_denied", **state))
        if query.get("response_type") != "code":
            return Response.redirect(with_query(redirect_uri, error="unsupported_response_type", **state))
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return Response.redirect(with_query(redirect_uri, error="invalid_request", **state))
        grant = Grant(
            code=secrets.token_urlsafe(20),
            user=user,
            client_id=self.client_id,
            redirect_uri=redirect_uri,
            code_challenge=query["code_challenge"],
            nonce=query.get("nonce"),
            scope=query.get("scope", ""),
            issued_at=time.time(),
        )
        with self._lock:
            self._grants[grant.code] = grant
        return Response.redirect(with_query(redirect_uri, code=grant.code, **state))

    def _token(self, request: Request) -> Response:
        form = request.form
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = request.headers.get("authorization", "")
        if basic.lower().startswith("basic "):
            try:
                client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
            except ValueError:
                client_id = None
        if client_id != self.client_id or not secrets.compare_digest(client_secret or "", self.client_secret):
            return self.token_error("invalid_client", "The client_id and/or client_secret passed are incorrect.")
        if form.get("grant_type") != "authorization_code":
            return self.token_error("unsupported_grant_type", "Only authorization_code here.")
        with self._lock:
            grant = self._grants.get(form.get("code", ""))
            if grant is None or grant.client_id != client_id:
                return self.token_error("invalid_grant", "The code passed is incorrect or expired.")
            if grant.used:
                for token in grant.tokens:  # a replayed code: what it gave out is revoked too
                    self._tokens.pop(token, None)
                return self.token_error("invalid_grant", "The code passed has been used already.")
            grant.used = True
            if time.time() - grant.issued_at > CODE_LIFETIME_SECONDS:
                return self.token_error("invalid_grant", "The code passed is incorrect or expired.")
            if form.get("redirect_uri") != grant.redirect_uri:
                return self.token_error("invalid_grant", "The redirect_uri does not match the authorization.")
            verifier = form.get("code_verifier", "")
            if not verifier or not secrets.compare_digest(s256(verifier), grant.code_challenge):
                return self.token_error("invalid_grant", "The code_verifier does not match the challenge.")
            access_token = secrets.token_urlsafe(24)
            grant.tokens.append(access_token)
            self._tokens[access_token] = grant
        return Response.json(200, self.token_answer(grant, access_token), {"Cache-Control": "no-store"})

    def _answer(self, request: Request) -> Response:
        with self._lock:
            self.hits[request.path] += 1
            self.received.append(request)
        routes = {("GET", self.authorize_path): self._authorize, ("POST", self.token_path): self._token}
        routes.update(self.routes())
        handler = routes.get((request.method, request.path))
        if handler is None:
            return Response.json(404, {"message": "Not Found"})
        if request.path not in self.browser_paths and request.path != self.authorize_path:
            with self._lock:
                delay = self._delay
            if delay:
                self._released.wait(min(delay, SLOW_AT_MOST_SECONDS))
            replaced = self.unavailable(request)
            if replaced is not None:
                return replaced
        return handler(request)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Head and body in one write (see flaky_upstream: Nagle + delayed ACK cost ~40 ms).
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def setup(self) -> None:
                super().setup()
                with server._lock:
                    server._connections.add(self.connection)

            def finish(self) -> None:
                with server._lock:
                    server._connections.discard(self.connection)
                super().finish()

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                request = Request(
                    method,
                    parts.path,
                    dict(parse_qsl(parts.query, keep_blank_values=True)),
                    dict(parse_qsl(body, keep_blank_values=True)),
                    {name.lower(): value for name, value in self.headers.items()},
                )
                response = server._answer(request)
                try:
                    self.send_response(response.status)
                    for name, value in response.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(response.body)))
                    self.end_headers()
                    self.wfile.write(response.body)
                except OSError:
                    pass  # the client gave up (its timeout) while we were slow

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
