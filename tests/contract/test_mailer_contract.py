"""One contract for the Mailer port: the in-memory mailer, the outbox directory and SMTP (against
a real aiosmtpd server on loopback) deliver the same message, and refuse the same ones."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from adapters.shared.in_memory_mailer import InMemoryMailer
from adapters.shared.manual_clock import ManualClock
from adapters.shared.outbox_directory_mailer import OutboxDirectoryMailer
from adapters.shared.outbox_directory_reader import OutboxDirectoryReader, read_mail, readable
from adapters.shared.smtp_mailer import SmtpMailer
from application.shared.mail_ports import MailDeliveryFailed, Mailer, MailMessage
from tests.support.smtp_server import (
    LoopbackSmtpServer,
    TlsCertificates,
    free_port,
)

SENDER = "Media Gateway <no-reply@media-gateway.test>"


@attrs.frozen
class Delivered:
    sender: str
    to: str
    subject: str
    text: str
    html: str | None


@attrs.frozen
class MailerUnderTest:
    mailer: Mailer
    delivered: Callable[[], list[Delivered]]


def _from_smtp(server: LoopbackSmtpServer) -> list[Delivered]:
    return [Delivered(m.sender, m.to, m.subject, m.text, m.html) for m in server.received]


def _from_outbox(directory: Path) -> list[Delivered]:
    delivered = []
    for entry in OutboxDirectoryReader(directory).entries():
        mail = read_mail(entry.path)
        plain, html = mail.get_body(preferencelist=("plain",)), mail.get_body(preferencelist=("html",))
        delivered.append(
            Delivered(
                str(mail["From"]),
                entry.to,
                entry.subject,
                plain.get_content() if plain else "",
                html.get_content() if html else None,
            )
        )
    return delivered


@pytest.fixture(params=["in-memory", "outbox", "smtp"])
def under_test(request: pytest.FixtureRequest, tmp_path: Path) -> MailerUnderTest:
    if request.param == "in-memory":
        memory = InMemoryMailer(SENDER)
        return MailerUnderTest(
            memory, lambda: [Delivered(SENDER, m.to, m.subject, m.text, m.html) for m in memory.sent]
        )
    if request.param == "outbox":
        directory = tmp_path / "outbox"
        return MailerUnderTest(OutboxDirectoryMailer(directory, SENDER, ManualClock()), lambda: _from_outbox(directory))
    server: LoopbackSmtpServer = request.getfixturevalue("smtp_server")
    return MailerUnderTest(SmtpMailer(server.url, SENDER, ManualClock()), lambda: _from_smtp(server))


async def test_a_message_arrives_with_its_sender_recipient_subject_and_text(under_test: MailerUnderTest) -> None:
    await under_test.mailer.send(MailMessage(to="ana@example.com", subject="Verify your email", text="Token: abc\n"))

    assert under_test.delivered() == [Delivered(SENDER, "ana@example.com", "Verify your email", "Token: abc\n", None)]


async def test_utf8_subjects_and_bodies_and_an_html_part_arrive_intact(under_test: MailerUnderTest) -> None:
    subject = "Vérifiez votre adresse — 確認 ✉"
    text = "Bonjour Ana,\nvoici le code : ÆØÅ-確認\n"
    html = "<p>Bonjour <b>Ana</b> — 確認</p>\n"

    await under_test.mailer.send(MailMessage(to="ana@example.com", subject=subject, text=text, html=html))

    assert under_test.delivered() == [Delivered(SENDER, "ana@example.com", subject, text, html)]


async def test_messages_arrive_in_the_order_they_were_sent(under_test: MailerUnderTest) -> None:
    for n in range(3):
        await under_test.mailer.send(MailMessage(to=f"user{n}@example.com", subject=f"mail {n}", text="hi\n"))

    assert [d.subject for d in under_test.delivered()] == ["mail 0", "mail 1", "mail 2"]


@pytest.mark.parametrize(
    "message",
    [
        MailMessage(to="ana@example.com\r\nBcc: eve@example.com", subject="hi", text="x"),
        MailMessage(to="ana@example.com, eve@example.com", subject="hi", text="x"),
        MailMessage(to="not-an-address", subject="hi", text="x"),
        MailMessage(to="ana@example.com", subject="hi\r\nBcc: eve@example.com", text="x"),
    ],
    ids=["line break in the recipient", "two recipients", "no address", "line break in the subject"],
)
async def test_a_message_that_could_smuggle_headers_or_recipients_is_refused_for_good(
    under_test: MailerUnderTest, message: MailMessage
) -> None:
    with pytest.raises(MailDeliveryFailed) as refused:
        await under_test.mailer.send(message)

    assert refused.value.permanent
    assert under_test.delivered() == []


# SMTP only: what the server says and how the connection is protected.


async def test_a_recipient_the_server_refuses_for_good_is_a_permanent_failure(smtp_server: LoopbackSmtpServer) -> None:
    with pytest.raises(MailDeliveryFailed) as refused:
        await SmtpMailer(smtp_server.url, SENDER, ManualClock()).send(
            MailMessage(to="refused@example.com", subject="hi", text="x")
        )

    assert refused.value.permanent
    assert "550" in str(refused.value)


async def test_a_recipient_the_server_refuses_for_now_is_a_transient_failure(smtp_server: LoopbackSmtpServer) -> None:
    with pytest.raises(MailDeliveryFailed) as refused:
        await SmtpMailer(smtp_server.url, SENDER, ManualClock()).send(
            MailMessage(to="busy@example.com", subject="hi", text="x")
        )

    assert not refused.value.permanent
    assert "451" in str(refused.value)


async def test_a_server_that_is_down_is_a_transient_failure() -> None:
    mailer = SmtpMailer(f"smtp://127.0.0.1:{free_port()}", SENDER, ManualClock(), timeout_seconds=5)

    with pytest.raises(MailDeliveryFailed) as failed:
        await mailer.send(MailMessage(to="ana@example.com", subject="hi", text="x"))

    assert not failed.value.permanent


@pytest.fixture
def starttls_server(tls_certificates: TlsCertificates) -> Iterator[LoopbackSmtpServer]:
    server = LoopbackSmtpServer(starttls=tls_certificates, users={"mailer": "s3cret pass"}).start()
    yield server
    server.stop()


@pytest.fixture
def implicit_tls_server(tls_certificates: TlsCertificates) -> Iterator[LoopbackSmtpServer]:
    server = LoopbackSmtpServer(implicit_tls=tls_certificates, users={"mailer": "s3cret pass"}).start()
    yield server
    server.stop()


async def test_smtp_upgrades_with_starttls_when_offered_trusting_the_configured_ca(
    starttls_server: LoopbackSmtpServer, tls_certificates: TlsCertificates
) -> None:
    mailer = SmtpMailer(starttls_server.url, SENDER, ManualClock(), ca_file=tls_certificates.ca_file)

    await mailer.send(MailMessage(to="ana@example.com", subject="hi", text="x\n"))

    [mail] = starttls_server.received
    assert mail.over_tls and mail.login is None


async def test_credentials_in_the_url_log_in_over_starttls(
    starttls_server: LoopbackSmtpServer, tls_certificates: TlsCertificates
) -> None:
    url = starttls_server.url_with_login("mailer", "s3cret%20pass")
    mailer = SmtpMailer(url, SENDER, ManualClock(), ca_file=tls_certificates.ca_file)

    await mailer.send(MailMessage(to="ana@example.com", subject="hi", text="x\n"))

    [mail] = starttls_server.received
    assert mail.over_tls and mail.login == "mailer"


async def test_wrong_credentials_are_a_transient_failure(
    starttls_server: LoopbackSmtpServer, tls_certificates: TlsCertificates
) -> None:
    url = starttls_server.url_with_login("mailer", "wrong")
    mailer = SmtpMailer(url, SENDER, ManualClock(), ca_file=tls_certificates.ca_file)

    with pytest.raises(MailDeliveryFailed) as failed:
        await mailer.send(MailMessage(to="ana@example.com", subject="hi", text="x\n"))

    assert not failed.value.permanent and starttls_server.received == []


async def test_smtps_speaks_tls_from_the_start_and_logs_in(
    implicit_tls_server: LoopbackSmtpServer, tls_certificates: TlsCertificates
) -> None:
    url = implicit_tls_server.url_with_login("mailer", "s3cret%20pass")
    mailer = SmtpMailer(url, SENDER, ManualClock(), ca_file=tls_certificates.ca_file)

    await mailer.send(MailMessage(to="ana@example.com", subject="Vérifiez", text="x\n"))

    [mail] = implicit_tls_server.received
    assert mail.over_tls and mail.login == "mailer" and mail.subject == "Vérifiez"


@pytest.mark.parametrize("tls", ["starttls", "implicit"])
async def test_a_certificate_from_an_untrusted_ca_is_refused_not_ignored(
    request: pytest.FixtureRequest, tls: str
) -> None:
    server: LoopbackSmtpServer = request.getfixturevalue(f"{tls}_tls_server" if tls == "implicit" else f"{tls}_server")
    mailer = SmtpMailer(server.url, SENDER, ManualClock(), timeout_seconds=5)  # no ca_file: the system's CAs only

    with pytest.raises(MailDeliveryFailed) as failed:
        await mailer.send(MailMessage(to="ana@example.com", subject="hi", text="x\n"))

    assert not failed.value.permanent
    assert "CERTIFICATE_VERIFY_FAILED" in str(failed.value) or "certificate" in str(failed.value).lower()
    assert server.received == []


async def test_credentials_on_plain_smtp_are_never_sent_without_starttls(smtp_server: LoopbackSmtpServer) -> None:
    mailer = SmtpMailer(smtp_server.url_with_login("mailer", "s3cret"), SENDER, ManualClock(), timeout_seconds=5)

    with pytest.raises(MailDeliveryFailed) as failed:
        await mailer.send(MailMessage(to="ana@example.com", subject="hi", text="x\n"))

    assert not failed.value.permanent and smtp_server.received == []


def test_the_smtp_mailer_never_shows_its_password() -> None:
    mailer = SmtpMailer("smtps://mailer:hunter2@mail.example.com:465", SENDER, ManualClock())

    assert "hunter2" not in repr(mailer)


# The outbox only: what the files look like on disk.


async def test_outbox_files_are_readable_by_their_owner_only_and_sort_by_time(tmp_path: Path) -> None:
    clock, directory = ManualClock(), tmp_path / "outbox"
    mailer = OutboxDirectoryMailer(directory, SENDER, clock)
    for n in range(12):  # past 9 and 10, where names sorting as text and as numbers would differ
        await mailer.send(MailMessage(to="ana@example.com", subject=f"mail {n}", text="x"))
        clock.advance(timedelta(seconds=1))

    entries = OutboxDirectoryReader(directory).entries()

    assert [e.subject for e in entries] == [f"mail {n}" for n in range(12)]
    assert all(stat.S_IMODE(e.path.stat().st_mode) == 0o600 for e in entries)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert sorted(p.name for p in directory.iterdir()) == [e.path.name for e in entries]  # no temporary left


async def test_an_outbox_message_reads_back_decoded_for_a_person(tmp_path: Path) -> None:
    mailer = OutboxDirectoryMailer(tmp_path, SENDER, ManualClock())
    await mailer.send(MailMessage(to="ana@example.com", subject="Vérifiez", text="Votre code : é-42\n"))

    [entry] = OutboxDirectoryReader(tmp_path).entries()

    shown = readable(read_mail(entry.path))
    assert "To: ana@example.com" in shown and "Subject: Vérifiez" in shown
    assert shown.endswith("Votre code : é-42\n")
