"""The real worker process sends mail queued in PostgreSQL: over SMTP to a real server when
MG_SMTP_URL is set, else into the outbox directory, where `media-gateway outbox` shows it."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.identity.aes_gcm_secret_box import AesGcmSecretBox
from adapters.identity.postgres_identity_unit_of_work import PostgresIdentityUnitOfWorkFactory
from adapters.postgres.database import create_engine, ensure_database, migrate
from adapters.postgres.tables import mail_queue
from application.shared.mail_ports import MailMessage
from tests.integration.test_service_process import CLI
from tests.support.servers import drop_database, fresh_database_url
from tests.support.smtp_server import LoopbackSmtpServer

pytestmark = pytest.mark.integration

KEY = bytes(range(32))
VERIFY = MailMessage(to="ana@example.com", subject="Vérifiez votre adresse", text="Votre code : token-8c1e5a\n")


@pytest.fixture
def mail_env(tmp_path: Path, postgres_url: str, redis_url: str) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MG_", "OTEL_"))}
    database = fresh_database_url(postgres_url)
    env.update(
        MG_DATA_DIR=str(tmp_path / "var"),
        MG_LOG_LEVEL="WARNING",
        MG_DATABASE_URL=database,
        MG_REDIS_URL=redis_url,
        MG_MFA_ENCRYPTION_KEY=base64.urlsafe_b64encode(KEY).decode(),
    )
    yield env
    drop_database(database)


async def queue_mail(env: dict[str, str], message: MailMessage) -> None:
    """What a use case does in its unit of work, on the database the worker will use."""
    await ensure_database(env["MG_DATABASE_URL"])
    engine = create_engine(env["MG_DATABASE_URL"], pool_size=1)
    try:
        await migrate(engine)
        async with PostgresIdentityUnitOfWorkFactory(engine, AesGcmSecretBox(KEY))() as uow:
            await uow.outgoing_mail.queue(message)
            await uow.commit()
    finally:
        await engine.dispose()


async def sent_at(env: dict[str, str]) -> object:
    engine = create_engine(env["MG_DATABASE_URL"], pool_size=1)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(select(mail_queue.c.sent_at))).scalar_one()
    finally:
        await engine.dispose()


@contextmanager
def worker(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([*CLI, "worker"], env=env)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def eventually(found: Callable[[], str | None], process: subprocess.Popen[bytes], timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the worker exited with {process.returncode}"
        if (result := found()) is not None:
            return result
        time.sleep(0.2)
    raise AssertionError("the worker did not deliver the mail in time")


def outbox(env: dict[str, str], *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "outbox", *options], env=env, capture_output=True, text=True, timeout=60)


async def test_the_worker_sends_queued_mail_to_the_smtp_server(
    mail_env: dict[str, str], smtp_server: LoopbackSmtpServer
) -> None:
    await queue_mail(mail_env, VERIFY)

    with worker({**mail_env, "MG_SMTP_URL": smtp_server.url}):
        [received] = smtp_server.wait_for(1, timeout=60)

    assert received.rcpt_tos == ("ana@example.com",)
    assert (received.subject, received.text) == (VERIFY.subject, VERIFY.text)
    assert received.sender == "Media Gateway <no-reply@media-gateway.invalid>"
    assert await sent_at(mail_env) is not None
    assert len(smtp_server.received) == 1


async def test_without_an_smtp_server_mail_lands_in_the_outbox_that_the_cli_shows(mail_env: dict[str, str]) -> None:
    await queue_mail(mail_env, VERIFY)

    with worker(mail_env) as process:
        listing = eventually(
            lambda: listed if "ana@example.com" in (listed := outbox(mail_env).stdout) else None, process
        )
        shown = outbox(mail_env, "--last")  # beside the running worker

    [line] = listing.splitlines()
    assert line.split()[0] == "1" and line.endswith("ana@example.com  Vérifiez votre adresse")
    assert shown.returncode == 0
    assert "To: ana@example.com" in shown.stdout and shown.stdout.endswith("Votre code : token-8c1e5a\n")
    assert outbox(mail_env, "--show", "1").stdout == shown.stdout
    assert outbox(mail_env, "--show", "2").returncode == 1
