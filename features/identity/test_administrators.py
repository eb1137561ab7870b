from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from application.identity.administrators import GrantAdminCommand, RevokeAdminCommand
from domain.identity.errors import AccountNotFound
from entrypoints.cli.admin_commands import describe
from features.conftest import Api

scenarios("identity/administrators.feature")

EMAIL, PASSWORD = "ana@example.com", "a long passphrase for ana"


class Ana:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.tokens: dict[str, Any] = {}
        self.key: dict[str, Any] = {}
        self.told = ""
        self.last: tuple[int, Any] = (0, None)

    def sign_in(self) -> None:
        status, self.tokens = self.api.call("post", "/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
        assert status == 200

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    def scopes(self) -> list[str]:
        status, profile = self.api.call("get", "/api/v1/me", headers=self.headers())
        assert status == 200
        return list(profile["scopes"])

    def refresh(self) -> None:
        status, self.tokens = self.api.call(
            "post", "/api/v1/auth/refresh", json={"refresh_token": self.tokens["refresh_token"]}
        )
        assert status == 200

    def security_log(self) -> list[str]:
        status, page = self.api.call("get", "/api/v1/me/security-events", headers=self.headers())
        assert status == 200
        return [event["kind"] for event in page["items"]]


@pytest.fixture
def ana(api: Api) -> Ana:
    return Ana(api)


def operator(api: Api, ana: Ana, email: str, *, grant: bool) -> None:
    """What `media-gateway grant-admin` / `revoke-admin` does, and what it prints."""
    identity = api.world.container.identity
    try:
        if grant:
            change = api.run(identity.grant_admin()(GrantAdminCommand(email=email)))
        else:
            change = api.run(identity.revoke_admin()(RevokeAdminCommand(email=email)))
    except AccountNotFound as error:
        ana.told = error.detail
        return
    ana.told = describe(change, grant=grant)


@given("Ana has an account and is signed in")
def signed_in(api: Api, ana: Ana) -> None:
    assert api.call("post", "/api/v1/auth/register", json={"email": EMAIL, "password": PASSWORD})[0] == 202
    ana.sign_in()


@given("Ana is an administrator, signed in again")
def administrator(api: Api, ana: Ana) -> None:
    operator(api, ana, EMAIL, grant=True)
    ana.sign_in()
    assert "admin" in ana.scopes()


@given("Ana has an API key with the admin scope")
def admin_key(api: Api, ana: Ana) -> None:
    body = {"name": "ops", "scopes": ["admin"], "password": PASSWORD}
    status, ana.key = api.call("post", "/api/v1/auth/api-keys", json=body, headers=ana.headers())
    assert status == 201 and sorted(ana.key["scopes"]) == ["admin", "read", "write"]


@when("an operator makes Ana an administrator")
def make_admin(api: Api, ana: Ana) -> None:
    operator(api, ana, EMAIL, grant=True)


@when(parsers.parse('an operator makes "{email}" an administrator'))
def make_someone_admin(api: Api, ana: Ana, email: str) -> None:
    operator(api, ana, email, grant=True)


@when("an operator revokes Ana's admin")
def revoke_admin(api: Api, ana: Ana) -> None:
    operator(api, ana, EMAIL, grant=False)


@when("Ana asks to change her own scopes to admin")
def ask_for_admin(api: Api, ana: Ana) -> None:
    ana.last = api.call("patch", "/api/v1/me", json={"scopes": ["admin"]}, headers=ana.headers())


@then(parsers.parse('the operator is told "{message}"'))
def told(ana: Ana, message: str) -> None:
    assert ana.told == message


@then("Ana's current token still does not carry admin")
def not_yet(ana: Ana) -> None:
    assert "admin" not in ana.scopes()


@then("after her next refresh her token carries admin")
def refreshed_admin(ana: Ana) -> None:
    ana.refresh()
    assert ana.scopes() == ["admin", "read", "write"]


@then("after her next refresh her token does not carry admin")
def refreshed_not_admin(ana: Ana) -> None:
    ana.refresh()
    assert ana.scopes() == ["read", "write"]


@then(parsers.parse('Ana\'s security log shows "{kind}"'))
def log_shows(ana: Ana, kind: str) -> None:
    assert kind in ana.security_log()


@then(parsers.parse('Ana\'s security log shows "{kind}" once'))
def log_shows_once(ana: Ana, kind: str) -> None:
    assert ana.security_log().count(kind) == 1


@then(parsers.parse('her key list shows the key with the scopes "{scopes}"'))
def key_listed(api: Api, ana: Ana, scopes: str) -> None:
    status, listed = api.call("get", "/api/v1/auth/api-keys", headers=ana.headers())
    assert status == 200
    (item,) = listed["items"]
    assert item["scopes"] == scopes.split(", ")


@then("the key can still change Ana's display name")
def key_writes(api: Api, ana: Ana) -> None:
    status, profile = api.call(
        "patch", "/api/v1/me", json={"display_name": "Ana Ops"}, headers={"X-API-Key": ana.key["key"]}
    )
    assert status == 200 and profile["display_name"] == "Ana Ops"
    assert profile["scopes"] == ["read", "write"]


@then(parsers.parse('Ana\'s profile shows the scopes "{scopes}"'))
def profile_scopes(ana: Ana, scopes: str) -> None:
    assert ana.scopes() == scopes.split(", ")


@then("the request is refused")
def refused(ana: Ana) -> None:
    assert 400 <= ana.last[0] < 500
