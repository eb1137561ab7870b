from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from features.conftest import Api

scenarios("identity/api_keys.feature")

EMAIL, PASSWORD = "ana@example.com", "a long passphrase for ana"


class Session:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.tokens: dict[str, Any] = {}
        self.key: dict[str, Any] = {}
        self.last: tuple[int, Any] = (0, None)
        self.responses: list[Any] = []

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    def key_headers(self, key: str | None = None) -> dict[str, str]:
        return {"X-API-Key": key or self.key["key"]}

    def create(self, **body: Any) -> tuple[int, Any]:
        payload = {"name": "key", "scopes": ["read"], "password": PASSWORD, **body}
        self.last = self.api.call("post", "/api/v1/auth/api-keys", json=payload, headers=self.headers())
        return self.last


@pytest.fixture
def ana(api: Api) -> Session:
    return Session(api)


@given("Ana has an account and is signed in")
def signed_in(api: Api, ana: Session) -> None:
    assert api.call("post", "/api/v1/auth/register", json={"email": EMAIL, "password": PASSWORD})[0] == 202
    status, ana.tokens = api.call("post", "/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert status == 200


@when(parsers.parse('Ana creates a read-only key named "{name}"'))
def create_named(ana: Session, name: str) -> None:
    status, ana.key = ana.create(name=name)
    assert status == 201


@then("she sees the full key once")
def full_key(ana: Session) -> None:
    assert ana.key["key"].startswith("mg_live_") and len(ana.key["key"]) == 57


@then("her key list shows it masked, with its name and scopes")
def masked(api: Api, ana: Session) -> None:
    status, listed = api.call("get", "/api/v1/auth/api-keys", headers=ana.headers())
    assert status == 200
    (item,) = listed["items"]
    assert item["masked_key"] == f"mg_live_{ana.key['key'][8:12]}…{ana.key['key'][-4:]}"
    assert item["name"] == "Living room widget" and item["scopes"] == ["read"]
    assert ana.key["key"] not in str(listed)


@given("Ana has a read-only key")
def read_only_key(ana: Session) -> None:
    status, ana.key = ana.create()
    assert status == 201


@given("Ana has a key that can write")
def write_key(ana: Session) -> None:
    status, ana.key = ana.create(scopes=["write"])
    assert status == 201


@given(parsers.parse("Ana has a read-only key that expires in {days:d} day"))
def expiring_key(ana: Session, days: int) -> None:
    status, ana.key = ana.create(expires_in_days=days)
    assert status == 201


@given(parsers.parse("Ana has a read-only key limited to {limit:d} requests a minute"))
def limited_key(ana: Session, limit: int) -> None:
    status, ana.key = ana.create(rate_limit_per_minute=limit)
    assert status == 201


@when("the key reads Ana's profile")
def key_reads(api: Api, ana: Session) -> None:
    ana.last = api.call("get", "/api/v1/me", headers=ana.key_headers())


@then("the profile is returned")
def profile_returned(ana: Session) -> None:
    status, body = ana.last
    assert status == 200 and body["email"] == EMAIL


@when("the key tries to change Ana's display name")
def key_writes(api: Api, ana: Session) -> None:
    ana.last = api.call("patch", "/api/v1/me", json={"display_name": "Hacked"}, headers=ana.key_headers())


@then("it is forbidden")
def forbidden(ana: Session) -> None:
    assert ana.last[0] == 403


@when("Ana asks for a key with the admin scope")
def admin_key(ana: Session) -> None:
    ana.create(scopes=["admin"])


@then("she is told she cannot grant a scope she does not hold")
def cannot_grant(ana: Session) -> None:
    status, body = ana.last
    assert status == 403 and body["type"] == "/problems/scope-not-held"


@when("the key tries to create another key")
def key_creates_key(api: Api, ana: Session) -> None:
    ana.last = api.call(
        "post",
        "/api/v1/auth/api-keys",
        json={"name": "x", "scopes": ["read"], "password": PASSWORD},
        headers=ana.key_headers(),
    )


@when("the key tries to turn on two-factor authentication")
def key_enrolls(api: Api, ana: Session) -> None:
    ana.last = api.call("post", "/api/v1/auth/mfa/enroll", json={"password": PASSWORD}, headers=ana.key_headers())


@when("Ana revokes the key")
def revoke(api: Api, ana: Session) -> None:
    assert api.call("delete", f"/api/v1/auth/api-keys/{ana.key['id']}", headers=ana.headers())[0] == 204


@then("the key is refused")
def refused(api: Api, ana: Session) -> None:
    status, body = api.call("get", "/api/v1/me", headers=ana.key_headers())
    assert status == 401 and body["type"] == "/problems/invalid-api-key"


@when(parsers.parse("{days:d} days pass"))
def days_pass(api: Api, days: int) -> None:
    api.world.clock.advance(timedelta(days=days))


@then("a revoked key, an unknown key and a malformed key get the same answer")
def same_answer(api: Api, ana: Session) -> None:
    unknown = ana.key["key"][:-10] + "0123456789"
    answers = []
    for key in (ana.key["key"], unknown, "mg_live_not-even-close"):
        status, body = api.call("get", "/api/v1/me", headers=ana.key_headers(key))
        body.pop("instance")
        body.pop("trace_id", None)  # each request's own trace, when this process traces
        answers.append((status, body))
    assert answers[0][0] == 401 and answers[0] == answers[1] == answers[2]


@when(parsers.parse("the key makes {count:d} requests within a minute"))
def burst(api: Api, ana: Session, count: int) -> None:
    ana.responses = [api.run(api.client.get("/api/v1/me", headers=ana.key_headers())) for _ in range(count)]


@then("the third is refused with a time to retry")
def third_refused(ana: Session) -> None:
    third = ana.responses[2]
    assert third.status_code == 429 and int(third.headers["Retry-After"]) > 0


@then("a minute later the key works again")
def works_again(api: Api, ana: Session) -> None:
    api.world.clock.advance(timedelta(seconds=61))
    assert api.call("get", "/api/v1/me", headers=ana.key_headers())[0] == 200


@when("Bruno, signed in to his own account, tries to revoke Ana's key")
def bruno_revokes(api: Api, ana: Session) -> None:
    bruno = {"email": "bruno@example.com", "password": "bruno's own long passphrase"}
    assert api.call("post", "/api/v1/auth/register", json=bruno)[0] == 202
    status, tokens = api.call("post", "/api/v1/auth/login", json=bruno)
    assert status == 200
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    ana.last = api.call("delete", f"/api/v1/auth/api-keys/{ana.key['id']}", headers=headers)


@then("he is told there is no such key")
def no_such_key(ana: Session) -> None:
    status, body = ana.last
    assert status == 404 and body["type"] == "/problems/api-key-not-found"


@then("the key still reads Ana's profile")
def key_still_reads(api: Api, ana: Session) -> None:
    status, body = api.call("get", "/api/v1/me", headers=ana.key_headers())
    assert status == 200 and body["email"] == EMAIL


@when("a secret scanner reports the key as leaked")
def leaked(api: Api, ana: Session) -> None:
    api.world.clock.advance(timedelta(seconds=1))
    status, _ = api.call("post", "/api/v1/auth/api-keys/leaked", json={"keys": [ana.key["key"]]})
    assert status == 202


@then("Ana's security log shows the key was leaked")
def log_shows_leak(api: Api, ana: Session) -> None:
    status, events = api.call("get", "/api/v1/me/security-events", headers=ana.headers())
    assert status == 200
    assert events["items"][0]["kind"] == "api_key_leaked"


@when("someone holding Ana's access token, but not her password, asks for a key")
def thief_asks_for_key(ana: Session) -> None:
    ana.create(password="the thief's best guess")


@then("they are told the password is wrong")
def told_wrong_password(ana: Session) -> None:
    status, body = ana.last
    assert status == 403 and body["type"] == "/problems/invalid-password"


@then("Ana has no keys")
def no_keys(api: Api, ana: Session) -> None:
    status, listed = api.call("get", "/api/v1/auth/api-keys", headers=ana.headers())
    assert status == 200 and listed["items"] == []


@when(parsers.parse("someone holding Ana's access token guesses her password wrong {times:d} times asking for keys"))
def thief_guesses(ana: Session, times: int) -> None:
    for n in range(times):
        assert ana.create(password=f"guess number {n}")[0] == 403


@then("even the right password cannot create a key for now")
def right_password_waits(ana: Session) -> None:
    status, body = ana.create()
    assert status == 429 and body["retry_after_seconds"] > 0


@then("Ana's sign-in with her password is refused for now too")
def sign_in_waits(api: Api) -> None:
    assert api.call("post", "/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})[0] == 429


@when(parsers.parse("someone at Ana's address sends {count:d} invalid keys"))
def invalid_keys(api: Api, ana: Session, count: int) -> None:
    for n in range(count):
        guess = f"mg_live_{n:0>49}"
        assert api.call("get", "/api/v1/me", headers=ana.key_headers(guess))[0] == 401


@then("their next invalid key has to wait")
def invalid_key_waits(api: Api, ana: Session) -> None:
    status, body = api.call("get", "/api/v1/me", headers=ana.key_headers("mg_live_one-more-guess"))
    assert status == 429 and body["retry_after_seconds"] > 0


@then("Ana's key still reads her profile from that address")
def valid_key_still_works(api: Api, ana: Session) -> None:
    status, body = api.call("get", "/api/v1/me", headers=ana.key_headers())
    assert status == 200 and body["email"] == EMAIL
