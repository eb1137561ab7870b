"""The account pages the way a person uses them: a real `serve` and `worker` on the suite's
PostgreSQL and Redis, the mail received by a real SMTP server, the links opened in Debian's
chromium (driven by Playwright). One screenshot of each page goes into the test's tmp dir.

CI runs on this machine kind, where chromium is installed with
`apt-get install -y chromium chromium-driver`; without /usr/bin/chromium these tests skip, saying so."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pyotp
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, expect, sync_playwright

from tests.integration.test_service_process import CLI
from tests.support.accounts import PASSWORD
from tests.support.mailbox import token_in
from tests.support.smtp_server import LoopbackSmtpServer, ReceivedMail

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
ANA, NEW_PASSWORD = "ana@example.com", "a brand new passphrase"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing: install it with `apt-get update && apt-get install -y chromium`"
        if os.environ.get("MG_TEST_REQUIRE_BROWSER"):  # CI: what a person sees is never left unchecked
            pytest.fail(missing)
        pytest.skip(missing)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


class Watched:
    """A phone-sized page that remembers what a person would not want to see: a script dialog
    (an injected script ran) or a Content-Security-Policy refusal (the page broke its own policy)."""

    def __init__(self, browser: Browser) -> None:
        self.page: Page = browser.new_context(viewport=PHONE).new_page()  # type: ignore[arg-type]
        self.dialogs: list[str] = []
        self.console_errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def assert_nothing_went_wrong(self) -> None:
        assert self.dialogs == []
        # The API's own 4xx answers are logged by chromium as failed loads; a policy refusal is not one.
        assert [error for error in self.console_errors if "Content Security Policy" in error] == []


@pytest.fixture
def service(start: Any, shared_env: dict[str, str], smtp_server: LoopbackSmtpServer) -> Iterator[httpx.Client]:
    """`serve`, and the worker sending its mail to the loopback SMTP server."""
    base, _ = start(MG_SMTP_URL=smtp_server.url)
    worker = subprocess.Popen([*CLI, "worker"], env={**shared_env, "MG_SMTP_URL": smtp_server.url})
    with httpx.Client(base_url=base, timeout=30) as client:
        yield client
    worker.send_signal(signal.SIGTERM)  # a test that sent no mail may end before the worker is up
    worker.wait(timeout=30)


def on_this_service(service: httpx.Client, link: str) -> str:
    """The link from a mail or a TV, pointed at the service under test (its public base URL is
    what the service was told, not the test's port)."""
    parts = urlsplit(link)
    return address(service) + f"{parts.path}?{parts.query}"


def address(service: httpx.Client) -> str:
    return str(service.base_url).rstrip("/")


def mail_to_ana(smtp_server: LoopbackSmtpServer, subject: str) -> ReceivedMail:
    """Ana's mail with that subject (the demo account seeded beside her has its own mail)."""
    for count in range(1, 10):
        found = [mail for mail in smtp_server.wait_for(count, timeout=60) if (mail.to, mail.subject) == (ANA, subject)]
        if found:
            return found[-1]
    raise AssertionError(f"no mail {subject!r} to {ANA}")


def link_in(mail: ReceivedMail, page: str) -> str:
    (line,) = [line for line in mail.text.splitlines() if f"/{page}?token=" in line]
    assert token_in(mail, page) in line
    return line.strip()


def sign_in(service: httpx.Client, password: str = PASSWORD) -> httpx.Response:
    return service.post("/api/v1/auth/login", json={"email": ANA, "password": password})


def register(service: httpx.Client) -> None:
    assert service.post("/api/v1/auth/register", json={"email": ANA, "password": PASSWORD}).status_code == 202


def test_ana_verifies_her_email_by_pressing_the_button_on_the_page_her_mail_links_to(
    service: httpx.Client, smtp_server: LoopbackSmtpServer, browser: Browser, tmp_path: Path
) -> None:
    register(service)
    mail = mail_to_ana(smtp_server, "Confirm your email address")
    watched = Watched(browser)
    page = watched.page

    page.goto(on_this_service(service, link_in(mail, "verify-email")))
    button = page.get_by_role("button", name="Verify my email")
    expect(button).to_be_visible()
    expect(page).to_have_url(address(service) + "/verify-email")  # the token left the address bar
    tokens = sign_in(service).json()
    assert me(service, tokens)["email_verified"] is False  # nothing on GET
    page.screenshot(path=tmp_path / "verify-email.png", full_page=True)

    button.click()
    expect(page.get_by_role("status")).to_have_text("Your email is verified. You can close this page.")
    assert me(service, tokens)["email_verified"] is True
    page.screenshot(path=tmp_path / "verify-email-done.png", full_page=True)

    page.goto(on_this_service(service, link_in(mail, "verify-email")))  # the same link again
    page.get_by_role("button", name="Verify my email").click()
    expect(page.get_by_role("status")).to_contain_text("ask for a new verification link")
    watched.assert_nothing_went_wrong()


def test_a_script_in_the_link_is_only_text_on_the_page(service: httpx.Client, browser: Browser) -> None:
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    watched = Watched(browser)
    for path, field in [("/verify-email", "#token"), ("/reset-password", "#token"), ("/device", "#user-code")]:
        name = "user_code" if path == "/device" else "token"
        watched.page.goto(address(service) + f"{path}?{httpx.QueryParams({name: hostile})}")
        expect(watched.page.locator(field)).to_have_value(hostile)
        assert watched.page.locator("img").count() == 0
    watched.assert_nothing_went_wrong()


def test_ana_chooses_a_new_password_on_the_page_after_being_told_her_first_choice_is_too_common(
    service: httpx.Client, smtp_server: LoopbackSmtpServer, browser: Browser, tmp_path: Path
) -> None:
    register(service)
    assert service.post("/api/v1/auth/password/forgot", json={"email": ANA}).status_code == 202
    reset_mail = mail_to_ana(smtp_server, "Reset your password")
    watched = Watched(browser)
    page = watched.page

    page.goto(on_this_service(service, link_in(reset_mail, "reset-password")))
    expect(page).to_have_url(address(service) + "/reset-password")
    new_password, again = page.get_by_label("New password"), page.get_by_label("The same password again")
    new_password.fill(NEW_PASSWORD)
    again.fill(NEW_PASSWORD + " typo")
    page.get_by_role("button", name="Change my password").click()
    expect(page.locator("#confirm-error")).to_have_text("The two passwords are not the same.")

    new_password.fill("password1")
    again.fill("password1")
    page.get_by_role("button", name="Change my password").click()
    error = page.locator("#password-error")
    expect(error).not_to_be_empty()
    expect(new_password).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=tmp_path / "reset-password-weak.png", full_page=True)
    assert sign_in(service).status_code == 200  # nothing changed yet

    new_password.fill(NEW_PASSWORD)
    again.fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change my password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed; every device was signed out")
    page.screenshot(path=tmp_path / "reset-password-done.png", full_page=True)
    assert sign_in(service).status_code == 401
    assert sign_in(service, NEW_PASSWORD).status_code == 200
    watched.assert_nothing_went_wrong()
    print(f"weak-password message shown: {error.text_content()!r}")


def test_ana_approves_her_tv_on_the_page_it_shows_signing_in_with_her_two_factor_backup_code(
    service: httpx.Client, browser: Browser, tmp_path: Path
) -> None:
    register(service)
    phone = sign_in(service).json()
    enrolled = service.post("/api/v1/auth/mfa/enroll", json={"password": PASSWORD}, headers=bearer(phone)).json()
    code = pyotp.TOTP(enrolled["secret"]).now()
    verified = service.post("/api/v1/auth/mfa/verify", json={"code": code}, headers=bearer(phone))
    backup_code = verified.json()["backup_codes"][0]
    started = service.post("/api/v1/auth/device", json={"client_name": "Living room TV"}).json()
    watched = Watched(browser)
    page = watched.page

    page.goto(on_this_service(service, started["verification_uri_complete"]))
    expect(page.get_by_label("The code your TV shows")).to_have_value(started["user_code"])
    expect(page).to_have_url(address(service) + "/device")
    page.screenshot(path=tmp_path / "device-sign-in.png", full_page=True)
    page.get_by_label("Email").fill(ANA)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("The code from your authenticator app, or a backup code").fill(backup_code)
    page.get_by_role("button", name="Continue").click()
    approve = page.get_by_role("button", name="Approve")
    expect(approve).to_be_visible()
    expect(page.get_by_role("button", name="Deny")).to_be_visible()
    page.screenshot(path=tmp_path / "device-decide.png", full_page=True)
    waiting = service.post("/api/v1/auth/device/token", json={"device_code": started["device_code"]})
    assert waiting.json()["error"] == "authorization_pending"

    approve.click()
    expect(page.get_by_role("status")).to_have_text(
        "Approved: “Living room TV” is signed in to your account. You can go back to your TV."
    )
    page.screenshot(path=tmp_path / "device-approved.png", full_page=True)
    tv = service.post("/api/v1/auth/device/token", json={"device_code": started["device_code"]})
    assert tv.status_code == 200 and me(service, tv.json())["email"] == ANA
    sessions = service.get("/api/v1/me/sessions", headers=bearer(phone)).json()["items"]
    # Ana's phone and her TV; the page signed itself out once it had done its job.
    assert sorted(str(item["client_name"]) for item in sessions) == ["Living room TV", "None"]
    assert page.evaluate("() => Object.keys(localStorage).length + Object.keys(sessionStorage).length") == 0
    watched.assert_nothing_went_wrong()


def test_ana_refuses_a_code_she_did_not_start_after_a_mistyped_one_is_shown_as_unknown(
    service: httpx.Client, browser: Browser
) -> None:
    register(service)
    started = service.post("/api/v1/auth/device", json={"client_name": "Someone's TV"}).json()
    watched = Watched(browser)
    page = watched.page

    page.goto(address(service) + "/device")  # typed by hand: no code in the address
    code = page.get_by_label("The code your TV shows")
    expect(code).to_have_value("")
    page.get_by_label("Email").fill(ANA)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    code.fill("BBBB-BBBB" if started["user_code"] != "BBBB-BBBB" else "CCCC-CCCC")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#code-error")).not_to_be_empty()
    expect(code).to_have_attribute("aria-invalid", "true")

    code.fill(started["user_code"])
    page.get_by_role("button", name="Deny").click()
    expect(page.get_by_role("status")).to_have_text("Denied: “Someone's TV” will not be signed in.")
    refused = service.post("/api/v1/auth/device/token", json={"device_code": started["device_code"]})
    assert refused.json()["error"] == "access_denied"
    watched.assert_nothing_went_wrong()


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def me(service: httpx.Client, tokens: dict[str, Any]) -> Any:
    response = service.get("/api/v1/me", headers=bearer(tokens))
    assert response.status_code == 200, response.text
    return response.json()
