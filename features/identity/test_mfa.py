from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from features.conftest import Api
from tests.support.accounts import from_address

scenarios("identity/mfa.feature")

EMAIL, PASSWORD = "ana@example.com", "a long passphrase for ana"


class Ana:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.tokens: dict[str, Any] = {}
        self.totp: pyotp.TOTP | None = None
        self.backup_codes: list[str] = []
        self.enrollment_code = ""
        self.last: tuple[int, Any] = (0, None)
        self.used_code = ""

    @property
    def clock(self) -> Any:
        return self.api.world.clock

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    def code(self, steps: int = 0) -> str:
        assert self.totp is not None
        return self.totp.at(self.clock.now() + timedelta(seconds=30 * steps))

    def next_code(self) -> str:
        self.clock.advance(timedelta(seconds=30))
        return self.code()

    def enroll(self, password: str) -> tuple[int, Any]:
        self.last = self.api.call(
            "post", "/api/v1/auth/mfa/enroll", json={"password": password}, headers=self.headers()
        )
        return self.last

    def sign_in_with_password(self) -> tuple[int, Any]:
        return self.api.call("post", "/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})

    def challenge(self, code: str) -> tuple[int, Any]:
        status, body = self.sign_in_with_password()
        assert status == 200 and body["mfa_required"] is True
        self.last = self.api.call(
            "post", "/api/v1/auth/mfa/challenge", json={"mfa_token": body["mfa_token"], "code": code}
        )
        return self.last

    def security_log(self) -> list[str]:
        status, events = self.api.call("get", "/api/v1/me/security-events", headers=self.headers())
        assert status == 200
        return [e["kind"] for e in events["items"]]


@pytest.fixture
def ana(api: Api) -> Ana:
    return Ana(api)


@given("Ana has an account and is signed in")
def signed_in(api: Api, ana: Ana) -> None:
    assert api.call("post", "/api/v1/auth/register", json={"email": EMAIL, "password": PASSWORD})[0] == 202
    status, ana.tokens = ana.sign_in_with_password()
    assert status == 200


@when("Ana scans the QR code with her authenticator app and confirms with the code it shows")
@given("Ana has turned on two-factor authentication")
def turn_on(api: Api, ana: Ana) -> None:
    status, enrollment = ana.enroll(PASSWORD)
    assert status == 201 and enrollment["qr_png"].startswith("data:image/png;base64,")
    ana.totp = pyotp.parse_uri(enrollment["otpauth_uri"])  # what scanning the QR code yields
    ana.enrollment_code = ana.code()
    status, body = api.call(
        "post", "/api/v1/auth/mfa/verify", json={"code": ana.enrollment_code}, headers=ana.headers()
    )
    assert status == 200
    ana.backup_codes = body["backup_codes"]


@when("Ana scans the QR code with her authenticator app but confirms with a wrong code")
def confirms_wrong_code(api: Api, ana: Ana) -> None:
    status, enrollment = ana.enroll(PASSWORD)
    assert status == 201
    ana.totp = pyotp.parse_uri(enrollment["otpauth_uri"])
    wrong = f"{(int(ana.code()) + 1) % 1_000_000:06d}"
    ana.last = api.call("post", "/api/v1/auth/mfa/verify", json={"code": wrong}, headers=ana.headers())


@then("two-factor authentication is not on")
def is_not_on(api: Api, ana: Ana) -> None:
    status, body = api.call("get", "/api/v1/auth/mfa", headers=ana.headers())
    assert status == 200 and body["enabled"] is False


@then("two-factor authentication is on")
def is_on(api: Api, ana: Ana) -> None:
    status, body = api.call("get", "/api/v1/auth/mfa", headers=ana.headers())
    assert status == 200 and body["enabled"] is True


@then("she is shown 10 backup codes, once")
def ten_codes(api: Api, ana: Ana) -> None:
    assert len(ana.backup_codes) == 10
    status, body = api.call("get", "/api/v1/auth/mfa", headers=ana.headers())
    assert status == 200 and body["backup_codes_remaining"] == 10 and "backup_codes" not in body


@when("Ana signs in with her password", target_fixture="login")
def signs_in(ana: Ana) -> tuple[int, Any]:
    return ana.sign_in_with_password()


@then("she is asked for a code instead of being signed in")
def asked_for_code(login: tuple[int, Any]) -> None:
    status, body = login
    assert status == 200 and body["mfa_required"] is True and "access_token" not in body


@then("with the next code from her app she is signed in")
def next_code_signs_in(api: Api, ana: Ana, login: tuple[int, Any]) -> None:
    status, body = api.call(
        "post", "/api/v1/auth/mfa/challenge", json={"mfa_token": login[1]["mfa_token"], "code": ana.next_code()}
    )
    assert status == 200 and "access_token" in body


@given("Ana has signed in with a code from her app")
def signed_in_with_code(ana: Ana) -> None:
    ana.used_code = ana.next_code()
    assert ana.challenge(ana.used_code)[0] == 200


@when("someone replays the same code")
def replay(ana: Ana) -> None:
    ana.challenge(ana.used_code)


@when("someone signs in with the code Ana used to confirm her app")
def enrollment_code(ana: Ana) -> None:
    ana.challenge(ana.enrollment_code)


@then("the code is refused")
def refused(ana: Ana) -> None:
    status, body = ana.last
    assert status == 401 and body["type"] == "/problems/invalid-mfa-code"


@then("Ana's security log shows the rejected replay")
def log_shows_replay(ana: Ana) -> None:
    assert "mfa_replay_rejected" in ana.security_log()


@when("Ana types a code from a phone whose clock is 90 seconds fast")
def fast_clock(ana: Ana) -> None:
    ana.clock.advance(timedelta(seconds=30))
    ana.challenge(ana.code(steps=3))


@then(parsers.parse("the code is refused with a hint that her clock is {seconds:d} seconds off"))
def drift_hint(ana: Ana, seconds: int) -> None:
    status, body = ana.last
    assert status == 401 and body["clock_drift_seconds"] == seconds


@when(parsers.parse("someone guesses {count:d} wrong codes within a minute"))
def guesses(ana: Ana, count: int) -> None:
    ana.clock.advance(timedelta(seconds=61))
    for _ in range(count):
        assert ana.challenge("000000")[0] == 401


@then("even the right code has to wait")
def must_wait(ana: Ana) -> None:
    status, body = ana.challenge(ana.next_code())
    assert status == 429 and body["retry_after_seconds"] > 0


@then("a minute later the next code from her app signs her in")
def a_minute_later(ana: Ana) -> None:
    ana.clock.advance(timedelta(seconds=31))
    assert ana.challenge(ana.next_code())[0] == 200


@when("someone guesses 10 wrong codes over two minutes")
def lock_out(ana: Ana) -> None:
    for _ in range(2):
        ana.clock.advance(timedelta(seconds=61))
        for _ in range(5):
            ana.challenge("000000")
    ana.clock.advance(timedelta(seconds=61))


@then("codes from her app are refused while two-factor is locked")
def locked(ana: Ana) -> None:
    status, body = ana.challenge(ana.code())
    assert status == 429 and body["type"] == "/problems/factor-locked"


@then("a backup code still signs her in")
def backup_unlocks(ana: Ana) -> None:
    assert ana.challenge(ana.backup_codes[0])[0] == 200


@then("codes from her app work again afterwards")
def unlocked(ana: Ana) -> None:
    assert ana.challenge(ana.next_code())[0] == 200


@then("Ana's security log shows the lock and the backup code she used")
def log_shows_lock(ana: Ana) -> None:
    log = ana.security_log()
    assert "mfa_factor_locked" in log and "backup_code_used" in log


@then("15 minutes later a code from her app signs her in")
def lock_lifts(ana: Ana) -> None:
    ana.clock.advance(timedelta(minutes=15))
    assert ana.challenge(ana.next_code())[0] == 200


@when("Ana signs in with a backup code typed in lowercase without the dash")
def lowercase_backup(ana: Ana) -> None:
    ana.used_code = ana.backup_codes[4].lower().replace("-", "")
    ana.challenge(ana.used_code)


@then("she is signed in")
def is_signed_in(ana: Ana) -> None:
    status, body = ana.last
    assert status == 200 and "access_token" in body and body["backup_codes_remaining"] == 9


@then("the same backup code is refused the next time")
def backup_once(ana: Ana) -> None:
    ana.clock.advance(timedelta(seconds=61))
    assert ana.challenge(ana.used_code)[0] == 401


@when(parsers.parse("Ana has used {count:d} of her backup codes"))
def use_backup_codes(ana: Ana, count: int) -> None:
    for code in ana.backup_codes[:count]:
        ana.clock.advance(timedelta(seconds=61))
        assert ana.challenge(code)[0] == 200


@then(parsers.parse("she is told only {remaining:d} remain"))
def warned(ana: Ana, remaining: int) -> None:
    body = ana.last[1]
    assert body["backup_codes_remaining"] == remaining and f"{remaining} backup code" in body["warning"]


@when("Ana asks for new backup codes", target_fixture="fresh_codes")
def regenerate(api: Api, ana: Ana) -> list[str]:
    status, body = api.call(
        "post", "/api/v1/auth/mfa/backup-codes", json={"code": ana.next_code()}, headers=ana.headers()
    )
    assert status == 200
    return list(body["backup_codes"])


@then("she is shown 10 backup codes she has not seen before")
def fresh_codes_shown(ana: Ana, fresh_codes: list[str]) -> None:
    assert len(set(fresh_codes)) == 10 and not set(fresh_codes) & set(ana.backup_codes)


@then("her old backup codes no longer work")
def old_codes_dead(ana: Ana) -> None:
    ana.clock.advance(timedelta(seconds=61))
    assert ana.challenge(ana.backup_codes[0])[0] == 401


@then("the new ones do")
def new_codes_work(ana: Ana, fresh_codes: list[str]) -> None:
    assert ana.challenge(fresh_codes[0])[0] == 200


@when("Ana turns two-factor off with a code but the wrong password")
def off_wrong_password(api: Api, ana: Ana) -> None:
    ana.last = api.call(
        "delete",
        "/api/v1/auth/mfa",
        json={"code": ana.next_code(), "password": "not her password"},
        headers=ana.headers(),
    )
    assert ana.last[0] == 403 and ana.last[1]["type"] == "/problems/invalid-password"


@then("two-factor stays on")
def stays_on(api: Api, ana: Ana) -> None:
    assert api.call("get", "/api/v1/auth/mfa", headers=ana.headers())[1]["enabled"] is True


@when("Ana turns two-factor off with a code and her password")
def off(api: Api, ana: Ana) -> None:
    ana.last = api.call(
        "delete", "/api/v1/auth/mfa", json={"code": ana.next_code(), "password": PASSWORD}, headers=ana.headers()
    )
    assert ana.last[0] == 204


@then("signing in needs only her password again")
def password_only(ana: Ana) -> None:
    status, body = ana.sign_in_with_password()
    assert status == 200 and "access_token" in body


@given("Ana signed in 11 minutes ago")
def old_sign_in(api: Api, ana: Ana) -> None:
    ana.clock.advance(timedelta(minutes=11))
    status, ana.tokens = api.call("post", "/api/v1/auth/refresh", json={"refresh_token": ana.tokens["refresh_token"]})
    assert status == 200


@when("Ana starts turning on two-factor authentication")
def start_enroll(api: Api, ana: Ana) -> None:
    ana.last = ana.enroll(PASSWORD)


@then("she is asked to sign in again first")
def reauth(ana: Ana) -> None:
    status, body = ana.last
    assert status == 401 and body["type"] == "/problems/reauthentication-required"


@when("someone holding Ana's access token, but not her password, starts turning on two-factor")
def thief_enrolls(ana: Ana) -> None:
    ana.enroll("the thief's best guess")


@then("they are told the password is wrong")
def told_wrong_password(ana: Ana) -> None:
    status, body = ana.last
    assert status == 403 and body["type"] == "/problems/invalid-password"


@then("two-factor authentication stays off")
def stays_off(api: Api, ana: Ana) -> None:
    status, body = api.call("get", "/api/v1/auth/mfa", headers=ana.headers())
    assert status == 200 and body["enabled"] is False
    assert ana.api.world.identity.state.factors == {}  # not even a pending enrollment


SHARED_ADDRESS = "203.0.113.50"


class Viewer:
    """Another viewer with two-factor on, who signed up and enrolled from ``home`` (their own
    address, or the default test address when None)."""

    def __init__(self, api: Api, email: str, home: str | None = None) -> None:
        self.api, self.email = api, email
        password, at = {"password": PASSWORD}, from_address(home)
        assert api.call("post", "/api/v1/auth/register", json={"email": email, **password}, **at)[0] == 202
        status, tokens = api.call("post", "/api/v1/auth/login", json={"email": email, **password}, **at)
        assert status == 200
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        status, enrollment = api.call("post", "/api/v1/auth/mfa/enroll", json=password, headers=headers, **at)
        assert status == 201
        self.totp = pyotp.parse_uri(enrollment["otpauth_uri"])
        code = self.totp.at(api.world.clock.now())
        assert api.call("post", "/api/v1/auth/mfa/verify", json={"code": code}, headers=headers, **at)[0] == 200

    def sign_in(self, code: str, ip: str | None = None) -> tuple[int, Any]:
        at = from_address(ip)
        credentials = {"email": self.email, "password": PASSWORD}
        status, body = self.api.call("post", "/api/v1/auth/login", json=credentials, **at)
        assert status == 200 and body["mfa_required"] is True
        return self.api.call(
            "post", "/api/v1/auth/mfa/challenge", json={"mfa_token": body["mfa_token"], "code": code}, **at
        )

    def current_code(self) -> str:
        return self.totp.at(self.api.world.clock.now())


@given(
    parsers.parse("{count:d} viewers who share one internet address have turned on two-factor authentication"),
    target_fixture="housemates",
)
def housemates_with_two_factor(api: Api, count: int) -> list[Viewer]:
    # They signed up over time from wherever they were; today they are all at home.
    viewers = [Viewer(api, f"housemate{n}@example.com", home=f"192.0.2.{n + 1}") for n in range(count)]
    api.world.clock.advance(timedelta(seconds=30))  # the enrollment codes are used up
    return viewers


@when("each of them signs in from that address with a code from their app within a minute", target_fixture="answers")
def housemates_sign_in(housemates: list[Viewer]) -> list[tuple[int, Any]]:
    return [viewer.sign_in(viewer.current_code(), ip=SHARED_ADDRESS) for viewer in housemates]


@then(parsers.parse("all {count:d} are signed in"))
def all_signed_in(answers: list[tuple[int, Any]], count: int) -> None:
    assert [status for status, _ in answers] == [200] * count
    assert all("access_token" in body for _, body in answers)


@given("Bruno, who shares Ana's internet address, has turned on two-factor authentication", target_fixture="bruno")
def bruno_with_two_factor(api: Api) -> Viewer:
    return Viewer(api, "bruno@example.com")


@when(parsers.parse("Bruno types {count:d} wrong codes within a minute"))
def bruno_guesses(ana: Ana, bruno: Viewer, count: int) -> None:
    ana.clock.advance(timedelta(seconds=61))
    for _ in range(count):
        assert bruno.sign_in("000000")[0] == 401


@then("Bruno has to wait before his next code")
def bruno_waits(bruno: Viewer) -> None:
    status, body = bruno.sign_in("000000")
    assert status == 429 and body["retry_after_seconds"] > 0


@then("Ana signs in from the same address with a code from her app at once")
def ana_signs_in_beside_bruno(ana: Ana) -> None:
    status, body = ana.challenge(ana.next_code())
    assert status == 200 and "access_token" in body
