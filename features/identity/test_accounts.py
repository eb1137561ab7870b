from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from features.conftest import Api
from tests.support.accounts import from_address

scenarios("identity/accounts.feature")

ANA = "ana@example.com"
ANA_PASSWORD = "a long passphrase for ana"
THEIR_PASSWORD = "another long passphrase"
ATTACKER_ADDRESS, HOME_ADDRESS = "198.51.100.66", "203.0.113.10"


@pytest.fixture
def answers() -> dict[str, Any]:
    return {}


def register(api: Api, email: str, password: str, ip: str | None = None) -> tuple[int, Any]:
    return api.call("post", "/api/v1/auth/register", json={"email": email, "password": password}, **from_address(ip))


def sign_in(api: Api, email: str, password: str, ip: str | None = None) -> tuple[int, Any]:
    return api.call("post", "/api/v1/auth/login", json={"email": email, "password": password}, **from_address(ip))


@given("Ana has an account")
def ana_has_an_account(api: Api) -> None:
    assert register(api, ANA, ANA_PASSWORD)[0] == 202


@given("Ana is signed in on her phone", target_fixture="phone")
def ana_signed_in_on_phone(api: Api) -> dict[str, Any]:
    ana_has_an_account(api)
    status, tokens = sign_in(api, ANA, ANA_PASSWORD)
    assert status == 200
    return {"tokens": tokens, "old_refresh_token": None}


@given("her phone has refreshed its session")
def phone_refreshed(api: Api, phone: dict[str, Any]) -> None:
    old = phone["tokens"]["refresh_token"]
    status, tokens = api.call("post", "/api/v1/auth/refresh", json={"refresh_token": old})
    assert status == 200
    phone["old_refresh_token"], phone["tokens"] = old, tokens


@when(parsers.parse('Ana registers with "{email}" and the password "{password}"'))
def ana_registers(api: Api, email: str, password: str) -> None:
    assert register(api, email, password)[0] == 202


@when(parsers.parse('Ana signs in with "{email}" and "{password}"'), target_fixture="phone")
def ana_signs_in(api: Api, email: str, password: str) -> dict[str, Any]:
    status, tokens = sign_in(api, email, password)
    assert status == 200
    return {"tokens": tokens}


@then(parsers.parse('Ana sees her profile with the email "{email}"'))
def ana_sees_profile(api: Api, phone: dict[str, Any], email: str) -> None:
    token = phone["tokens"]["access_token"]
    status, profile = api.call("get", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and profile["email"] == email


@when(parsers.parse('Ana changes her display name to "{name}"'))
def changes_display_name(api: Api, phone: dict[str, Any], name: str) -> None:
    headers = {"Authorization": f"Bearer {phone['tokens']['access_token']}"}
    assert api.call("patch", "/api/v1/me", json={"display_name": name}, headers=headers)[0] == 200


@then(parsers.parse('Ana sees her profile with the display name "{name}"'))
def sees_display_name(api: Api, phone: dict[str, Any], name: str) -> None:
    token = phone["tokens"]["access_token"]
    status, profile = api.call("get", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and profile["display_name"] == name


@when(parsers.parse('someone registers "{email}" again'))
def registers_again(api: Api, answers: dict[str, Any], email: str) -> None:
    answers["register"] = register(api, email, THEIR_PASSWORD)


@then("they get the same answer as anyone registering a new email")
def same_answer_as_new(api: Api, answers: dict[str, Any]) -> None:
    status, body = answers["register"]
    new_status, new_body = register(api, "someone-new@example.com", THEIR_PASSWORD)
    assert status == new_status == 202
    assert body == {**new_body, "email": ANA}


@then("Ana still signs in with her own password, and not with theirs")
def password_unchanged(api: Api) -> None:
    assert sign_in(api, ANA, ANA_PASSWORD)[0] == 200
    assert sign_in(api, ANA, THEIR_PASSWORD)[0] == 401


@then("Ana's security log shows that someone tried to register her email")
def log_shows_registration_attempt(api: Api) -> None:
    status, tokens = sign_in(api, ANA, ANA_PASSWORD)
    assert status == 200
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    status, events = api.call("get", "/api/v1/me/security-events", headers=headers)
    assert status == 200 and [e["kind"] for e in events["items"]] == ["registration_attempted"]


@when(parsers.parse("someone registers {count:d} accounts from one address within an hour"))
def registers_many(api: Api, count: int) -> None:
    for n in range(count):
        assert register(api, f"viewer{n}@example.com", THEIR_PASSWORD, ip=ATTACKER_ADDRESS)[0] == 202
        api.world.clock.advance(timedelta(minutes=5))


@then("the next registration from that address has to wait")
def registration_waits(api: Api) -> None:
    status, problem = register(api, "one-more@example.com", THEIR_PASSWORD, ip=ATTACKER_ADDRESS)
    assert status == 429 and problem["retry_after_seconds"] > 0


@then("a viewer registering from another address is welcome")
def other_address_registers(api: Api) -> None:
    assert register(api, "one-more@example.com", THEIR_PASSWORD, ip=HOME_ADDRESS)[0] == 202
    assert sign_in(api, "one-more@example.com", THEIR_PASSWORD, ip=HOME_ADDRESS)[0] == 200


@when(parsers.parse('Bruno registers with the password "{password}"'))
def bruno_registers(api: Api, answers: dict[str, Any], password: str) -> None:
    answers["register"] = register(api, "bruno@example.com", password)


@then("he is told the password is too common")
def told_too_common(answers: dict[str, Any]) -> None:
    status, problem = answers["register"]
    assert status == 422 and "too common" in problem["detail"]


@when("someone signs in as Ana with a wrong password")
def wrong_password(api: Api, answers: dict[str, Any]) -> None:
    answers["wrong"] = sign_in(api, ANA, "not her password at all")


@when(parsers.parse('someone signs in as "{email}"'))
def unknown_account(api: Api, answers: dict[str, Any], email: str) -> None:
    answers["unknown"] = sign_in(api, email, "not her password at all")


@then("both are refused with the same answer")
def same_answer(answers: dict[str, Any]) -> None:
    (wrong_status, wrong), (unknown_status, unknown) = answers["wrong"], answers["unknown"]
    assert wrong_status == unknown_status == 401
    # Each answer names its own request's trace (when this process traces): the rest is the same.
    assert {**wrong, "trace_id": None} == {**unknown, "trace_id": None}


@when(parsers.parse("someone guesses Ana's password wrong {times:d} times"))
def guesses(api: Api, times: int) -> None:
    for _ in range(times):
        assert sign_in(api, ANA, "a wrong guess here")[0] == 401


@then("even the right password is refused for now")
def right_password_refused(api: Api) -> None:
    assert sign_in(api, ANA, ANA_PASSWORD)[0] == 429


@then("after 15 minutes Ana can sign in again")
def after_waiting(api: Api) -> None:
    api.world.clock.advance(timedelta(minutes=15, seconds=1))
    assert sign_in(api, ANA, ANA_PASSWORD)[0] == 200


@when("an attacker uses the phone's old refresh token a minute later", target_fixture="attacker")
def attacker_replays(api: Api, phone: dict[str, Any]) -> tuple[int, Any]:
    api.world.clock.advance(timedelta(minutes=1))
    return api.call("post", "/api/v1/auth/refresh", json={"refresh_token": phone["old_refresh_token"]})


@when("her phone, having lost the answer, sends the same refresh again", target_fixture="retry")
def phone_retries(api: Api, phone: dict[str, Any]) -> tuple[int, Any]:
    api.world.clock.advance(timedelta(seconds=2))
    return api.call("post", "/api/v1/auth/refresh", json={"refresh_token": phone["old_refresh_token"]})


@then("it gets the same new refresh token again")
def same_successor(phone: dict[str, Any], retry: tuple[int, Any]) -> None:
    status, tokens = retry
    assert status == 200 and tokens["refresh_token"] == phone["tokens"]["refresh_token"]
    phone["tokens"] = tokens


@then("her phone stays signed in")
def phone_stays_signed_in(api: Api, phone: dict[str, Any]) -> None:
    token = phone["tokens"]["access_token"]
    assert api.call("get", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})[0] == 200
    status, _ = api.call("post", "/api/v1/auth/refresh", json={"refresh_token": phone["tokens"]["refresh_token"]})
    assert status == 200


@then("the phone's access token no longer works")
def access_token_refused(api: Api, phone: dict[str, Any]) -> None:
    token = phone["tokens"]["access_token"]
    status, problem = api.call("get", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert status == 401 and problem["type"] == "/problems/invalid-access-token"


@then("the attacker is refused")
def attacker_refused(attacker: tuple[int, Any]) -> None:
    assert attacker[0] == 401


@then("Ana's phone has to sign in again")
def phone_signed_out(api: Api, phone: dict[str, Any]) -> None:
    current = phone["tokens"]["refresh_token"]
    assert api.call("post", "/api/v1/auth/refresh", json={"refresh_token": current})[0] == 401


@when("Ana signs out on her phone")
def signs_out(api: Api, phone: dict[str, Any]) -> None:
    refresh_token = phone["tokens"]["refresh_token"]
    assert api.call("post", "/api/v1/auth/logout", json={"refresh_token": refresh_token})[0] == 204


@when(parsers.parse("someone guesses Ana's password wrong {times:d} times from one address"))
def guesses_from_one_address(api: Api, times: int) -> None:
    for _ in range(times):
        assert sign_in(api, ANA, "a wrong guess here", ip=ATTACKER_ADDRESS)[0] == 401


@then("that address is refused even the right password for now")
def attacker_address_refused(api: Api) -> None:
    assert sign_in(api, ANA, ANA_PASSWORD, ip=ATTACKER_ADDRESS)[0] == 429


@then("Ana signs in from her home address at the same time")
def signs_in_from_home(api: Api) -> None:
    assert sign_in(api, ANA, ANA_PASSWORD, ip=HOME_ADDRESS)[0] == 200
