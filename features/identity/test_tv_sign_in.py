from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from features.conftest import Api
from tests.support.accounts import bearer, from_address

scenarios("identity/tv_sign_in.feature")

ANA, PASSWORD = "ana@example.com", "a long passphrase for ana"
HOME, GUESSER = "203.0.113.10", "198.51.100.66"
TOKEN = "/api/v1/auth/device/token"


class Household:
    """Ana's phone (signed in) and her TV (a device code, then maybe tokens)."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.phone: dict[str, Any] = {}
        self.tv_code: dict[str, Any] = {}
        self.tv: dict[str, Any] = {}
        self.last: tuple[int, Any] = (0, None)
        self.sessions: list[dict[str, Any]] = []

    def on_phone(self, method: str, path: str, ip: str | None = HOME, **kwargs: Any) -> tuple[int, Any]:
        return self.api.call(method, path, headers=bearer(self.phone["access_token"]), **from_address(ip), **kwargs)

    def approve(self, code: str, ip: str | None = HOME) -> tuple[int, Any]:
        return self.on_phone("post", "/api/v1/auth/device/approve", ip, json={"user_code": code})

    def tv_asks(self, after_seconds: float = 0) -> tuple[int, Any]:
        self.api.world.clock.advance(timedelta(seconds=after_seconds))
        self.last = self.api.call("post", TOKEN, json={"device_code": self.tv_code["device_code"]})
        return self.last


@pytest.fixture
def home(api: Api) -> Household:
    return Household(api)


@given("Ana is signed in on her phone")
def signed_in_on_phone(api: Api, home: Household) -> None:
    assert api.call("post", "/api/v1/auth/register", json={"email": ANA, "password": PASSWORD})[0] == 202
    status, home.phone = api.call("post", "/api/v1/auth/login", json={"email": ANA, "password": PASSWORD})
    assert status == 200


@given(parsers.parse('her TV "{name}" shows a code to sign in'))
def tv_shows_code(api: Api, home: Household, name: str) -> None:
    status, home.tv_code = api.call("post", "/api/v1/auth/device", json={"client_name": name})
    assert status == 200
    assert home.tv_code["verification_uri_complete"].endswith(home.tv_code["user_code"])


@given(parsers.parse('Ana has signed in on her TV "{name}" with a code'))
def tv_signed_in(api: Api, home: Household, name: str) -> None:
    tv_shows_code(api, home, name)
    assert home.approve(home.tv_code["user_code"])[0] == 200
    status, home.tv = home.tv_asks(after_seconds=5)
    assert status == 200


@when("Ana types the code on her phone, in lower case and without the dash")
def types_code(home: Household) -> None:
    home.last = home.approve(home.tv_code["user_code"].replace("-", "").lower())


@when("Ana refuses the code on her phone")
def refuses(home: Household) -> None:
    status, _ = home.on_phone("post", "/api/v1/auth/device/deny", json={"user_code": home.tv_code["user_code"]})
    assert status == 200


@then(parsers.parse('her phone says "{name}" is signed in'))
def phone_says(home: Household, name: str) -> None:
    assert home.last == (200, {"client_name": name})


@then("the TV, asking a moment later, is signed in as Ana")
def tv_signed_in_as_ana(api: Api, home: Household) -> None:
    status, home.tv = home.tv_asks(after_seconds=5)
    assert status == 200
    status, profile = api.call("get", "/api/v1/me", headers=bearer(home.tv["access_token"]))
    assert (status, profile["email"]) == (200, ANA)


@then("asking again with the same code gets it nothing more")
def nothing_more(home: Household) -> None:
    status, body = home.tv_asks(after_seconds=5)
    assert (status, body["error"]) == (400, "invalid_grant")
    assert "access_token" not in body


@then(parsers.parse('Ana\'s security log shows that she signed in "{name}"'))
def security_log(home: Household, name: str) -> None:
    status, log = home.on_phone("get", "/api/v1/me/security-events")
    assert status == 200
    (event,) = [e for e in log["items"] if e["kind"] == "device_sign_in_approved"]
    assert event["details"] == {"client_name": name}


@when("Ana looks at where she is signed in")
def looks(home: Household) -> None:
    status, listed = home.on_phone("get", "/api/v1/me/sessions")
    assert status == 200
    home.sessions = listed["items"]


@then(parsers.parse('she sees "{name}" and her phone, marked as the one she is using'))
def sees(home: Household, name: str) -> None:
    assert [(s["client_name"], s["current"]) for s in home.sessions] == [(name, False), (None, True)]


@when(parsers.parse('Ana signs "{name}" out from her phone'))
def signs_out(home: Household, name: str) -> None:
    (tv,) = [s for s in home.sessions if s["client_name"] == name]
    assert home.on_phone("delete", f"/api/v1/me/sessions/{tv['id']}")[0] == 204


@then("the TV can no longer watch as Ana, nor renew its session")
def tv_out(api: Api, home: Household) -> None:
    assert api.call("get", "/api/v1/me", headers=bearer(home.tv["access_token"]))[0] == 401
    refreshed = api.call("post", "/api/v1/auth/refresh", json={"refresh_token": home.tv["refresh_token"]})
    assert refreshed[0] == 401


@then("her phone is still signed in")
def phone_still_in(home: Household) -> None:
    assert home.on_phone("get", "/api/v1/me")[0] == 200


@then(parsers.parse('Ana\'s security log shows that she signed "{name}" out'))
def security_log_shows_sign_out(home: Household, name: str) -> None:
    status, log = home.on_phone("get", "/api/v1/me/security-events")
    assert status == 200
    latest = log["items"][0]
    (tv,) = [s for s in home.sessions if s["client_name"] == name]
    assert latest["kind"] == "session_revoked"
    assert latest["details"] == {"family_id": tv["id"], "client_name": name}


@when("the TV asks whether it is signed in twice within one second")
def asks_twice(home: Household) -> None:
    home.tv_asks()
    home.tv_asks(after_seconds=1)


@then(parsers.parse("it is told to slow down and wait {seconds:d} seconds between asks"))
def slow_down(home: Household, seconds: int) -> None:
    status, body = home.last
    assert (status, body["error"], body["interval"]) == (400, "slow_down", seconds)


@when(parsers.parse("the TV asks again after {seconds:d} seconds"))
def asks_after(home: Household, seconds: int) -> None:
    home.tv_asks(after_seconds=seconds)


@then("it is told the code is still waiting for approval")
def still_waiting(home: Household) -> None:
    assert home.last[1]["error"] == "authorization_pending"


@then("the TV, asking a moment later, is told the sign-in was refused")
def refused(home: Household) -> None:
    status, body = home.tv_asks(after_seconds=5)
    assert (status, body["error"]) == (400, "access_denied")


@when(parsers.parse("someone types {count:d} wrong codes from one address"))
def wrong_codes(home: Household, count: int) -> None:
    for _ in range(count):
        assert home.approve("BCDF-GHJK", ip=GUESSER)[0] == 400


@then("even the TV's real code is refused from that address for now")
def real_refused(home: Household) -> None:
    status, body = home.approve(home.tv_code["user_code"], ip=GUESSER)
    assert status == 429 and body["retry_after_seconds"] > 0


@then("Ana's phone, at home, can still approve it")
def phone_approves(home: Household) -> None:
    assert home.approve(home.tv_code["user_code"])[0] == 200
