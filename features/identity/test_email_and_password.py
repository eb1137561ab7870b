from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from features.conftest import Api
from tests.support.mailbox import token_in

scenarios("identity/email_and_password.feature")

ANA = "ana@example.com"
ANA_PASSWORD = "a long passphrase for ana"


@pytest.fixture
def answers() -> dict[str, Any]:
    return {}


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def sign_in(api: Api, password: str) -> tuple[int, Any]:
    return api.call("post", "/api/v1/auth/login", json={"email": ANA, "password": password})


def mail_to(api: Api, address: str) -> list[Any]:
    return [m for m in api.world.identity.state.outgoing_mail if m.to == address]


def latest_link(api: Api, page: str) -> str:
    return token_in(mail_to(api, ANA)[-1], page)


def profile(api: Api, tokens: dict[str, Any]) -> dict[str, Any]:
    status, body = api.call("get", "/api/v1/me", headers=bearer(tokens))
    assert status == 200
    return body  # type: ignore[no-any-return]


@given("Ana has an account")
def ana_has_an_account(api: Api) -> None:
    status, _ = api.call("post", "/api/v1/auth/register", json={"email": ANA, "password": ANA_PASSWORD})
    assert status == 202


@given(parsers.parse('Ana has just registered with "{email}"'), target_fixture="phone")
def ana_registered(api: Api, email: str) -> dict[str, Any]:
    assert email == ANA
    ana_has_an_account(api)
    status, tokens = sign_in(api, ANA_PASSWORD)
    assert status == 200
    return tokens  # type: ignore[no-any-return]


@given("her profile says her email is not verified")
def not_verified(api: Api, phone: dict[str, Any]) -> None:
    assert profile(api, phone)["email_verified"] is False


@when("Ana opens the link in the mail she received")
def opens_link(api: Api, answers: dict[str, Any]) -> None:
    answers["token"] = latest_link(api, "verify-email")
    status, body = api.call("post", "/api/v1/auth/verify-email", json={"token": answers["token"]})
    assert status == 200 and body["email_verified"] is True


@then("her profile says her email is verified")
def verified(api: Api, phone: dict[str, Any]) -> None:
    assert profile(api, phone)["email_verified"] is True


@then("the link does not work a second time")
def link_used(api: Api, answers: dict[str, Any]) -> None:
    status, problem = api.call("post", "/api/v1/auth/verify-email", json={"token": answers["token"]})
    assert status == 400 and problem["type"] == "/problems/invalid-account-token"


@given("Ana is signed in on her phone and on her TV", target_fixture="devices")
def on_phone_and_tv(api: Api) -> dict[str, dict[str, Any]]:
    ana_has_an_account(api)
    devices = {}
    for device in ("phone", "TV"):
        status, tokens = sign_in(api, ANA_PASSWORD)
        assert status == 200
        devices[device] = tokens
    return devices


@when("Ana says she forgot her password")
def forgot(api: Api) -> None:
    status, _ = api.call("post", "/api/v1/auth/password/forgot", json={"email": ANA})
    assert status == 202


@when(parsers.parse('she chooses "{password}" from the link in her mail'))
def chooses_new_password(api: Api, password: str) -> None:
    api.world.clock.advance(timedelta(minutes=3))  # the time to open the mail
    body = {"token": latest_link(api, "reset-password"), "new_password": password}
    status, _ = api.call("post", "/api/v1/auth/password/reset", json=body)
    assert status == 204


@then(parsers.parse('she signs in with "{password}" but not with her old password'))
def signs_in_with_new(api: Api, password: str) -> None:
    assert sign_in(api, password)[0] == 200
    assert sign_in(api, ANA_PASSWORD)[0] == 401


@then("her phone and her TV are signed out")
def devices_signed_out(api: Api, devices: dict[str, dict[str, Any]]) -> None:
    for tokens in devices.values():
        assert api.call("get", "/api/v1/me", headers=bearer(tokens))[0] == 401
        refresh = {"refresh_token": tokens["refresh_token"]}
        assert api.call("post", "/api/v1/auth/refresh", json=refresh)[0] == 401


@then("her security log shows the password was reset")
def log_shows_reset(api: Api) -> None:
    status, tokens = sign_in(api, "a brand new passphrase")
    assert status == 200
    status, events = api.call("get", "/api/v1/me/security-events", headers=bearer(tokens))
    kinds = [e["kind"] for e in events["items"]]
    assert status == 200 and kinds[:2] == ["password_reset", "password_reset_requested"]


@when(parsers.parse('someone asks to reset the password of "{email}"'))
def asks_for_reset(api: Api, answers: dict[str, Any], email: str) -> None:
    answers.setdefault("forgot", []).append(api.call("post", "/api/v1/auth/password/forgot", json={"email": email}))


@then("both get the same answer")
def same_answer(answers: dict[str, Any]) -> None:
    (nobody, ana) = answers["forgot"]
    assert nobody == ana and nobody[0] == 202


@then(parsers.parse('no mail goes to "{email}"'))
def no_mail(api: Api, email: str) -> None:
    assert mail_to(api, email) == []
    assert [m.subject for m in mail_to(api, ANA)] == ["Confirm your email address", "Reset your password"]
