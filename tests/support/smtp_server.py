"""A real SMTP server on loopback (aiosmtpd, in its own thread) that keeps what it receives:
for the mailer's contract suite and for any test that needs to read the mail the service sent.

    def test_…(smtp_server: LoopbackSmtpServer) -> None:
        … MG_SMTP_URL=smtp_server.url …
        mail = smtp_server.wait_for(1)[0]        # a ReceivedMail: .to, .subject, .text

Recipients starting ``refused`` are refused for good (550), ``busy`` for now (451).
``tls_certificates`` makes a throw-away CA and a server certificate for 127.0.0.1/localhost;
``LoopbackSmtpServer(starttls=…)`` offers STARTTLS with it, ``implicit_tls=…`` speaks TLS from the
first byte, and ``users={…}`` accepts AUTH (only over TLS)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import attrs
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@attrs.frozen
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    over_tls: bool
    login: str | None

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def sender(self) -> str:
        return str(self.message["From"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        return _lines(body.get_content()) if isinstance(body, EmailMessage) else ""

    @property
    def html(self) -> str | None:
        body = self.message.get_body(preferencelist=("html",))
        return _lines(body.get_content()) if isinstance(body, EmailMessage) else None


def _lines(content: object) -> str:
    """The text as written: SMTP carries lines ending CRLF."""
    return str(content).replace("\r\n", "\n")


@attrs.frozen
class TlsCertificates:
    ca_file: Path  # what a client trusts (MG_SMTP_CA_FILE)
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_tls_certificates(directory: Path) -> TlsCertificates:
    """A CA of its own and a certificate it signed for 127.0.0.1 and localhost."""
    now = dt.datetime.now(dt.UTC)
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "media-gateway test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    certificates = TlsCertificates(directory / "ca.pem", directory / "server.pem", directory / "server-key.pem")
    certificates.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    certificates.cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    certificates.key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return certificates


class _Recorder:
    def __init__(self, *, implicit_tls: bool) -> None:
        self.implicit_tls = implicit_tls
        self.received: list[ReceivedMail] = []
        self.arrived = threading.Condition()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address.startswith("refused"):
            return "550 5.1.1 No such user here"
        if address.startswith("busy"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        message = email.message_from_bytes(raw if isinstance(raw, bytes) else raw.encode(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        mail = ReceivedMail(
            mail_from=str(envelope.mail_from),
            rcpt_tos=tuple(envelope.rcpt_tos),
            message=message,
            over_tls=session.ssl is not None or self.implicit_tls,
            login=login,
        )
        with self.arrived:
            self.received.append(mail)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LoopbackSmtpServer:
    def __init__(
        self,
        *,
        starttls: TlsCertificates | None = None,
        implicit_tls: TlsCertificates | None = None,
        users: dict[str, str] | None = None,
    ) -> None:
        self._recorder = _Recorder(implicit_tls=implicit_tls is not None)
        self._users = users or {}
        self.port = free_port()
        options: dict[str, Any] = {"enable_SMTPUTF8": True}
        if starttls:
            options["tls_context"] = starttls.server_context()
        if self._users:
            # Implicit TLS is TLS from the first byte, but aiosmtpd only counts STARTTLS as TLS.
            options |= {"authenticator": self._authenticate, "auth_require_tls": implicit_tls is None}
        self._controller = Controller(
            self._recorder,
            hostname="127.0.0.1",
            port=self.port,
            ssl_context=implicit_tls.server_context() if implicit_tls else None,
            server_hostname="localhost",
            **options,
        )
        self.scheme = "smtps" if implicit_tls else "smtp"

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and self._users.get(data.login.decode()) == data.password.decode()
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def url_with_login(self, user: str, password: str) -> str:
        return f"{self.scheme}://{user}:{password}@127.0.0.1:{self.port}"

    @property
    def received(self) -> list[ReceivedMail]:
        with self._recorder.arrived:
            return list(self._recorder.received)

    def wait_for(self, count: int, timeout: float = 20.0) -> list[ReceivedMail]:
        """The mail received so far, once there are at least ``count`` (fails after ``timeout``)."""
        with self._recorder.arrived:
            if not self._recorder.arrived.wait_for(lambda: len(self._recorder.received) >= count, timeout):
                raise AssertionError(f"{count} mails expected, {len(self._recorder.received)} arrived")
            return list(self._recorder.received)

    def start(self) -> LoopbackSmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[LoopbackSmtpServer]:
    """A plain SMTP server on loopback (no TLS), keeping every mail it receives."""
    server = LoopbackSmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def tls_certificates(tmp_path: Path) -> TlsCertificates:
    return make_tls_certificates(tmp_path / "tls")
