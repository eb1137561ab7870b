"""`media-gateway outbox`: the outbox directory listed oldest first, and one message shown whole."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from adapters.shared.manual_clock import ManualClock
from adapters.shared.outbox_directory_mailer import OutboxDirectoryMailer
from application.shared.mail_ports import MailMessage
from entrypoints.cli.outbox_command import outbox_command
from entrypoints.config import Settings


async def write(settings: Settings, *messages: MailMessage) -> None:
    clock = ManualClock()
    mailer = OutboxDirectoryMailer(settings.outbox_dir, settings.sign_in.mail_from, clock)
    for message in messages:
        await mailer.send(message)
        clock.advance(timedelta(minutes=1))


FIRST = MailMessage(to="ana@example.com", subject="Verify your email", text="Token: first-token\n")
SECOND = MailMessage(to="bo@example.com", subject="Réinitialiser", text="Jeton : second-token\n")


async def test_the_list_shows_number_time_recipient_and_subject_newest_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path)
    await write(settings, FIRST, SECOND)

    assert outbox_command(settings) == 0

    assert capsys.readouterr().out.splitlines() == [
        "   1  2026-01-01 12:00:00 UTC  ana@example.com  Verify your email",
        "   2  2026-01-01 12:01:00 UTC  bo@example.com  Réinitialiser",
    ]


@pytest.mark.parametrize(("options", "shown"), [({"last": True}, SECOND), ({"show": 1}, FIRST)])
async def test_one_message_is_shown_with_its_headers_and_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: dict[str, object], shown: MailMessage
) -> None:
    settings = Settings(data_dir=tmp_path)
    await write(settings, FIRST, SECOND)

    assert outbox_command(settings, **options) == 0  # type: ignore[arg-type]

    out = capsys.readouterr().out
    assert f"To: {shown.to}" in out and f"Subject: {shown.subject}" in out
    assert "From: Media Gateway <no-reply@media-gateway.invalid>" in out
    assert out.endswith("\n\n" + shown.text)


async def test_an_empty_outbox_lists_nothing_and_has_no_last_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path)

    assert outbox_command(settings) == 0
    assert capsys.readouterr().out == f"no mail in {tmp_path / 'outbox'}\n"
    assert outbox_command(settings, last=True) == 1
    assert "empty" in capsys.readouterr().err


@pytest.mark.parametrize("number", [0, 3, -1])
async def test_a_message_number_outside_the_list_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], number: int
) -> None:
    settings = Settings(data_dir=tmp_path)
    await write(settings, FIRST, SECOND)

    assert outbox_command(settings, show=number) == 1
    assert "1 to 2" in capsys.readouterr().err
